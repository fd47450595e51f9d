"""Calico's inference rules: what ``kops create cluster`` and the completed spec add for Calico."""

from __future__ import annotations

from kops.inference import InferenceContext, Rule, rule

from kops_calico.spec import default_encapsulation, is_ipv6_only


@rule("assign", 50, name="calico.bpf-disables-kube-proxy")
def bpf_disables_kube_proxy(ctx: InferenceContext) -> None:
    """Calico's eBPF dataplane replaces kube-proxy (and binds its health port), so a new cluster created
    with ``bpfEnabled`` gets kube-proxy switched off. It runs after ``--set``, which is how BPF is
    usually chosen, and only at creation: a later change is left to validation to point out."""
    if ctx.options is None or ctx.get("spec.networking.calico.bpfEnabled") is not True:
        return
    ctx.default("spec.kubeProxy.enabled", False)


@rule("complete", 50, name="calico.encapsulation")
def encapsulation(ctx: InferenceContext) -> None:
    """The completed spec names the tunnel Calico uses: IP-in-IP, none for IPv6, VXLAN on Azure."""
    if ctx.get("spec.networking.calico") is None:
        return
    mode = default_encapsulation(ctx.cloud_name, is_ipv6_only(ctx.get("spec.nonMasqueradeCIDR")))
    mode = ctx.default("spec.networking.calico.encapsulationMode", mode)
    if ctx.cloud_name == "azure" and mode == "vxlan":
        ctx.default("spec.networking.calico.vxlanMode", "Always")


def rules() -> list[Rule]:
    return [bpf_disables_kube_proxy, encapsulation]
