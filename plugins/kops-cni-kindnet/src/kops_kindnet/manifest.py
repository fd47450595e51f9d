"""The ``networking.kindnet`` add-on: the kindnet DaemonSet and its RBAC (plus the admin network policy CRDs
when those policies are enabled), rendered from the package's Jinja2 template."""

from __future__ import annotations

from typing import Any

from kops.addons import Addon

from kops_kindnet.defaults import effective, kindnet_of

ADDON_NAME = "networking.kindnet"
SELECTOR = {"role.kubernetes.io/networking": "1"}
IMAGE = "registry.k8s.io/networking/kindnet"
#: Bumped whenever the template changes for the same kindnet version.
TEMPLATE_REVISION = 1


def addons(cluster: Any) -> list[Addon]:
    if kindnet_of(cluster) is None:
        return []
    k = effective(cluster)
    manifest = render("kindnet.yaml.j2", labels={"addon.kops.k8s.io/name": ADDON_NAME,
                                                 "app.kubernetes.io/managed-by": "kops", **SELECTOR},
                      image=f"{IMAGE}:{k['version']}", args=arguments(k),
                      anp=bool(k.get("adminNetworkPolicies")), banp=bool(k.get("baselineAdminNetworkPolicies")))
    return [Addon(name=ADDON_NAME, version=f"{k['version'].lstrip('v')}-kops.{TEMPLATE_REVISION}",
                  manifest=manifest, selector=dict(SELECTOR))]


def arguments(k: dict[str, Any]) -> list[str]:
    """kindnetd's flags. Network policies follow kindnetd's own default unless the spec says otherwise."""
    args = ["--hostname-override=$(NODE_NAME)", f"--v={k['logLevel']}"]
    for flag, key in (("network-policy", "networkPolicies"), ("admin-network-policy", "adminNetworkPolicies"),
                      ("baseline-admin-network-policy", "baselineAdminNetworkPolicies")):
        if k.get(key) is not None:
            args.append(f"--{flag}={_bool(k[key])}")
    args += [f"--dns-caching={_bool(k.get('dnsCaching', False))}", f"--nat64={_bool(k.get('nat64', False))}",
             f"--fastpath-threshold={k['fastPathThreshold']}"]
    masquerade = k["masquerade"]
    args.append(f"--masquerading={_bool(masquerade.get('enabled', True))}")
    cidrs = [c for c in masquerade.get("nonMasqueradeCIDRs") or [] if c]
    if cidrs:
        args.append("--no-masquerade-cidr=" + ",".join(cidrs))
    return args


def _bool(value: Any) -> str:
    return "true" if value else "false"


def render(template: str, **context: Any) -> str:
    from kops.addons.render import render as render_template

    return render_template("kops_kindnet", template, context)
