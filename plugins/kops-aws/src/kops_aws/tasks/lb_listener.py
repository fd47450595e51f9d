"""LoadBalancerListener: a port of a load balancer, forwarding to a target group.

``TCP`` passes connections through (the API server terminates TLS, so client certificates work); ``TLS``
terminates them at the load balancer with the user's certificate (``spec.api.loadBalancer.sslCertificate``).
A listener is known by its load balancer and port, neither of which can change.
"""

from __future__ import annotations

from typing import Any

from kops.engine import Block, Changes, Context, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter

from kops_aws.discovery import register, register_deletions
from kops_aws.tasks.common import delete_quietly, owned, ref_id
from kops_aws.tasks.load_balancer import LoadBalancer, list_load_balancers
from kops_aws.tasks.target_group import TargetGroup


class LoadBalancerListener(Task):
    load_balancer: LoadBalancer | None = None
    port: int | None = None
    protocol: str | None = None
    target_group: TargetGroup | None = None
    #: The ACM certificate of a ``TLS`` listener.
    certificate_arn: str | None = None
    ssl_policy: str | None = None
    arn: str | None = None

    id_field = "arn"
    immutable_fields = {"load_balancer", "port"}
    output_fields = {"arn"}
    terraform_type = "aws_lb_listener"

    def find(self, ctx: Context) -> LoadBalancerListener | None:
        assert self.load_balancer is not None
        lb_arn = self.load_balancer.arn
        if lb_arn is None:
            return None  # its load balancer does not exist (yet)
        raw = ctx.snapshot.first("load_balancer_listener", lambda x: x["ListenerArn"] == self.arn if self.arn
                                 else x["LoadBalancerArn"] == lb_arn and x["Port"] == self.port)
        if raw is None:
            return None
        forward = next((a for a in raw.get("DefaultActions") or [] if a.get("Type") == "forward"), {})
        certificates = raw.get("Certificates") or [{}]
        return LoadBalancerListener(
            name=self.name, lifecycle=self.lifecycle, load_balancer=raw["LoadBalancerArn"], port=raw["Port"],
            protocol=raw.get("Protocol"), target_group=forward.get("TargetGroupArn"),
            certificate_arn=certificates[0].get("CertificateArn"), ssl_policy=raw.get("SslPolicy"),
            arn=raw["ListenerArn"])

    def render_direct(self, ctx: Context, actual: LoadBalancerListener | None, changes: Changes) -> None:
        elb = ctx.cloud.elbv2
        args: dict[str, Any] = {"Protocol": self.protocol, "Port": self.port, "DefaultActions": [
            {"Type": "forward", "TargetGroupArn": ref_id(self.target_group)}]}
        if self.certificate_arn:
            args["Certificates"] = [{"CertificateArn": self.certificate_arn}]
        if self.ssl_policy:
            args["SslPolicy"] = self.ssl_policy
        if actual is None:
            self.arn = elb.create_listener(LoadBalancerArn=ref_id(self.load_balancer), **args)["Listeners"][0][
                "ListenerArn"]
        else:
            elb.modify_listener(ListenerArn=self.arn, **args)

    def delete_direct(self, ctx: Context) -> None:
        delete_quietly(lambda: ctx.cloud.elbv2.delete_listener(ListenerArn=self.arn))

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        assert self.load_balancer is not None and self.target_group is not None
        tf.add_resource("aws_lb_listener", self.name, {
            "load_balancer_arn": self.load_balancer.terraform_ref(),
            "port": self.port,
            "protocol": self.protocol,
            "certificate_arn": self.certificate_arn,
            "ssl_policy": self.ssl_policy,
            "default_action": Block(type="forward", target_group_arn=self.target_group.terraform_ref()),
        })


@register("load_balancer_listener")
def _list(api: Any, cluster_name: str) -> list[dict[str, Any]]:
    """The listeners of the cluster's load balancers (with the load balancer's tags)."""
    found = []
    for lb in list_load_balancers(api, cluster_name):
        for listener in api.elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]:
            found.append({**listener, "Tags": lb.get("Tags", []), "LoadBalancerName": lb["LoadBalancerName"]})
    return found


@register_deletions("load_balancer_listener")
def _deletions(snapshot: Snapshot, cluster_name: str) -> list[Task]:
    out: list[Task] = []
    for x in owned(snapshot.get("load_balancer_listener"), cluster_name):
        forward = next((a for a in x.get("DefaultActions") or [] if a.get("TargetGroupArn")), {})
        target = TargetGroup(name=forward["TargetGroupArn"], arn=forward["TargetGroupArn"]) if forward else None
        out.append(LoadBalancerListener(
            name=f"{x['LoadBalancerName']}-{x['Port']}", port=x["Port"], arn=x["ListenerArn"],
            load_balancer=LoadBalancer(name=x["LoadBalancerName"], arn=x["LoadBalancerArn"]), target_group=target))
    return out
