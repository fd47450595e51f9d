"""IAMOIDCProvider: IAM's trust in the cluster's service-account issuer, through which service accounts' roles
are assumed with the tokens the API server signs (IAM roles for service accounts).

IAM names a provider by its issuer's address (``arn:aws:iam::<account>:oidc-provider/<host>/<path>``), one per
address in an account. Discovery lists the account's providers once and reads each one (``GetOpenIDConnectProvider``:
address, client IDs, thumbprints, tags). A task finds the provider of its address, whoever made it (as upstream
does; it then becomes the cluster's), else the one tagged with the cluster's and its own name, whose address
then differs: the address cannot change, so that one is replaced. ``kops delete cluster`` deletes the providers
tagged as the cluster's own.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Changes, Context, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_aws.discovery import paginate, register, register_deletions
from kops_aws.tags import TAG_NAME, aws_tags, from_aws, is_owned
from kops_aws.tasks.common import delete_quietly, is_not_found

#: The SHA-1 fingerprints of the root CAs of S3's certificates, upstream's thumbprints for every provider. AWS
#: checks the issuer's certificate itself for well-known CAs; the list is still required.
S3_ROOT_CA_THUMBPRINTS = ("9e99a48a9960b14926bb7f3b02e22da2b0ab7280", "a9d53002e97e00e043244f3d170d6f4c414104fd")


class IAMOIDCProvider(Task):
    #: The issuer's address (``https://...``).
    url: str | None = None
    #: The audiences IAM accepts in tokens (``amazonaws.com`` and ``additionalAudiences``).
    client_ids: list[str] | None = None
    thumbprints: list[str] | None = None
    tags: dict[str, str] | None = None
    arn: str | None = None

    id_field = "arn"
    output_fields = {"arn"}
    immutable_fields = {"url"}
    replace_on_immutable_change = True
    terraform_type = "aws_iam_openid_connect_provider"

    def find(self, ctx: Context) -> IAMOIDCProvider | None:
        providers = ctx.snapshot.get("iam_oidc_provider")
        if self.arn:  # known already: a deletion task, or one created earlier in this run
            raw = next((p for p in providers if p["Arn"] == self.arn), None)
        else:
            raw = next((p for p in providers if _address(p) == self.url), None)
        if raw is None:
            raw = next((p for p in providers if is_owned(from_aws(p.get("Tags")), ctx.cluster_name)
                        and from_aws(p.get("Tags")).get(TAG_NAME) == self.name), None)
        if raw is None:
            return None
        tags = from_aws(raw.get("Tags"))
        return IAMOIDCProvider(name=self.name, lifecycle=self.lifecycle, url=_address(raw),
                               client_ids=list(raw.get("ClientIDList") or []),
                               thumbprints=list(raw.get("ThumbprintList") or []),
                               tags={k: tags[k] for k in self.tags or {} if k in tags}, arn=raw["Arn"])

    def field_equal(self, field: str, desired: Any, actual: Any) -> bool:
        if field in ("client_ids", "thumbprints"):
            return sorted(desired or []) == sorted(actual or [])
        return super().field_equal(field, desired, actual)

    def render_direct(self, ctx: Context, actual: IAMOIDCProvider | None, changes: Changes) -> None:
        iam = ctx.cloud.iam
        if actual is None:
            self.arn = iam.create_open_id_connect_provider(
                Url=self.url, ClientIDList=list(self.client_ids or []), ThumbprintList=list(self.thumbprints or []),
                Tags=aws_tags(self.tags or {}))["OpenIDConnectProviderArn"]
            return
        arn = actual.arn
        if "thumbprints" in changes:
            iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn,
                                                           ThumbprintList=list(self.thumbprints or []))
        if "client_ids" in changes:
            have, want = set(actual.client_ids or []), set(self.client_ids or [])
            for client_id in sorted(want - have):
                iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID=client_id)
            for client_id in sorted(have - want):
                iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID=client_id)
        if "tags" in changes:
            iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=arn, Tags=aws_tags(self.tags or {}))

    def delete_direct(self, ctx: Context) -> None:
        delete_quietly(lambda: ctx.cloud.iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=self.arn))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        tf.add_resource("aws_iam_openid_connect_provider", self.name, {
            "url": self.url, "client_id_list": list(self.client_ids or []),
            "thumbprint_list": list(self.thumbprints or []), "tags": self.tags,
        })
        tf.add_output("iam_openid_connect_provider_arn", self.terraform_ref("arn"))
        tf.add_output("iam_openid_connect_provider_issuer", (self.url or "").split("://", 1)[-1])


def _address(raw: dict[str, Any]) -> str:
    """A provider's issuer address; IAM reports it without the scheme."""
    url = str(raw.get("Url") or "")
    return url if "://" in url else "https://" + url


@register("iam_oidc_provider")
def _list(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    """Every OIDC provider of the account, with its address, audiences, thumbprints and tags. IAM has no filter,
    and the provider of the cluster's address may be untagged (made by someone else), so none is left out."""
    found = []
    for listed in paginate(api.iam, "list_open_id_connect_providers", "OpenIDConnectProviderList"):
        try:
            got = api.iam.get_open_id_connect_provider(OpenIDConnectProviderArn=listed["Arn"])
        except Exception as exc:
            if is_not_found(exc):  # deleted between the two calls
                continue
            raise
        found.append({"Arn": listed["Arn"], "Url": got.get("Url"), "ClientIDList": got.get("ClientIDList"),
                      "ThumbprintList": got.get("ThumbprintList"), "Tags": got.get("Tags")})
    return found


@register_deletions("iam_oidc_provider")
def _deletions(snapshot: Snapshot, cluster_name: str) -> list[Task]:
    return [IAMOIDCProvider(name=p["Arn"].split("oidc-provider/", 1)[-1], arn=p["Arn"])
            for p in snapshot.get("iam_oidc_provider") if is_owned(from_aws(p.get("Tags")), cluster_name)]
