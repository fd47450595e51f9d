"""What the EC2 tasks share: finding a resource in the run's snapshot, tags, and deleting what may be gone.

How a task finds itself:

- with a known ID that the snapshot holds (a deletion task, or a resource found earlier this run): there;
- with a known ID the snapshot lacks: one describe call by ID. For a shared resource (the user's VPC) a
  "not found" answer means it is missing; for one the cluster owns it can only mean this run created it a
  moment ago and AWS does not show it yet, so the lookup is retried rather than creating a second one;
- otherwise by its ``Name`` tag among the cluster's tagged resources of that kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from kops.engine import Context, Task
from kops.errors import KopsError

from kops_aws.awsapi import NotYetVisible, error_code
from kops_aws.tags import TAG_NAME, aws_tags, from_aws, is_owned

Raw = dict[str, Any]


def tags_of(raw: Mapping[str, Any]) -> dict[str, str]:
    return from_aws(raw.get("Tags"))


def name_of(raw: Mapping[str, Any]) -> str | None:
    return tags_of(raw).get(TAG_NAME)


def matching_tags(raw: Mapping[str, Any], desired: Mapping[str, str] | None) -> dict[str, str] | None:
    """The resource's tags restricted to the keys the task wants: tags others added are not a difference."""
    if desired is None:
        return None
    have = tags_of(raw)
    return {k: have[k] for k in desired if k in have}


def ref_id(value: Any) -> Any:
    """The cloud ID a reference field holds: a task's ID, or the bare ID a found resource reports."""
    return value.cloud_id if isinstance(value, Task) else value


def is_not_found(exc: BaseException) -> bool:
    code = error_code(exc) or ""
    return code.endswith("NotFound") or code.endswith(".NotFound") or code in ("NoSuchEntity", "NoSuchHostedZone")


def locate(ctx: Context, task: Task, kind: str, id_key: str,
           describe: Callable[[Any, str], list[Raw]]) -> Raw | None:
    """The raw resource for ``task`` (see the module docstring), or None when it does not exist."""
    wanted_id = task.cloud_id
    if wanted_id:
        raw = ctx.snapshot.first(kind, lambda r: r.get(id_key) == wanted_id)
        if raw is not None:
            return raw
        try:
            found = describe(ctx.cloud, wanted_id)
        except Exception as exc:
            if not is_not_found(exc):
                raise
            found = []
        if found:
            return found[0]
        if task.lifecycle.shared:
            return None
        raise NotYetVisible(f"{kind} {wanted_id} was created but AWS does not list it yet")
    named = [r for r in ctx.snapshot.get(kind) if name_of(r) == task.name]
    if len(named) > 1:
        ids = ", ".join(sorted(str(r.get(id_key)) for r in named))
        raise KopsError(f"found {len(named)} resources of kind {kind} named {task.name!r} ({ids}); delete all but "
                        f"one of them")
    return named[0] if named else None


def tag_specifications(resource_type: str, tags: Mapping[str, str] | None) -> list[dict[str, Any]]:
    """``TagSpecifications`` for a create call: the resource is tagged (and so discoverable) from birth."""
    return [{"ResourceType": resource_type, "Tags": aws_tags(tags)}] if tags else []


def update_tags(ctx: Context, resource_id: str, changes: Mapping[str, tuple[Any, Any]]) -> None:
    """Apply a change of the ``tags`` field: add or overwrite the desired tags (others stay as they are)."""
    if "tags" in changes:
        _, want = changes["tags"]
        ctx.cloud.ec2.create_tags(Resources=[resource_id], Tags=aws_tags(want))


def delete_quietly(call: Callable[[], Any]) -> None:
    """Run a delete call; a resource that is already gone (a retry after success) is not an error."""
    try:
        call()
    except Exception as exc:
        if not is_not_found(exc):
            raise


def owned(items: Iterable[Raw], cluster_name: str) -> list[Raw]:
    """The listed resources the cluster owns (tagged ``owned``, not ``shared``)."""
    return [r for r in items if is_owned(tags_of(r), cluster_name)]


def deletion_name(raw: Mapping[str, Any], resource_id: str) -> str:
    """A deletion task's name: the resource's ``Name`` tag and ID, unique even when names repeat."""
    name = name_of(raw)
    return f"{name} ({resource_id})" if name else resource_id
