"""Checks on ``spec.networking.calico``: the values Calico accepts, and the combinations it cannot run."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from kops.errors import FieldError

from kops_calico.spec import ENCAPSULATION_MODES, POOL_MODES, is_ipv6_only

PATH = "spec.networking.calico"

#: Options whose value must be one of a fixed set, with the set (as calico-node / Felix accept them).
CHOICES = {
    "bpfExternalServiceMode": ("Tunnel", "DSR"),
    "bpfLogLevel": ("Off", "Info", "Debug"),
    "chainInsertMode": ("insert", "append"),
    "encapsulationMode": ENCAPSULATION_MODES,
    "ipipMode": POOL_MODES,
    "vxlanMode": POOL_MODES,
    "iptablesBackend": ("Auto", "Legacy", "NFT"),
    "nftablesMode": ("Disabled", "Enabled", "Auto"),
    "awsSrcDstCheck": ("Enable", "Disable", "DoNothing"),
}


def validate(cluster: Any) -> list[FieldError]:
    calico = cluster.spec.networking.calico
    ipv6 = is_ipv6_only(cluster.spec.nonMasqueradeCIDR)
    errors = [FieldError(f"{PATH}.{name}", f"unsupported value {value!r}: must be one of {', '.join(allowed)}")
              for name, allowed in CHOICES.items()
              if (value := getattr(calico, name)) is not None and value not in allowed]
    errors += _encapsulation(calico, ipv6, cluster.spec.cloudProvider)
    errors += _kube_proxy(calico, cluster.spec.kubeProxy)
    if ipv6 and calico.awsSrcDstCheck not in (None, "DoNothing"):
        errors.append(FieldError(f"{PATH}.awsSrcDstCheck", 'must be "DoNothing" on an IPv6 cluster'))
    if ipv6 and calico.wireguardEnabled:
        errors.append(FieldError(f"{PATH}.wireguardEnabled", "WireGuard is not supported on IPv6 clusters"))
    if calico.typhaReplicas is not None and calico.typhaReplicas < 0:
        errors.append(FieldError(f"{PATH}.typhaReplicas", f"must be 0 or more, not {calico.typhaReplicas}"))
    for name, version in (("ipv4AutoDetectionMethod", 4), ("ipv6AutoDetectionMethod", 6)):
        value = getattr(calico, name)
        if value is not None:
            problem = autodetection_problem(value, version)
            if problem:
                errors.append(FieldError(f"{PATH}.{name}", f"{value!r}: {problem}"))
    return errors


def _encapsulation(calico: Any, ipv6: bool, cloud: str | None) -> list[FieldError]:
    errors = []
    mode = calico.encapsulationMode
    if mode in ENCAPSULATION_MODES:
        if ipv6 and mode != "none":
            errors.append(FieldError(f"{PATH}.encapsulationMode", 'an IPv6 cluster needs "none" (no tunnel)'))
        elif not ipv6 and mode == "none":
            errors.append(FieldError(f"{PATH}.encapsulationMode", '"none" is only supported on IPv6 clusters'))
        if cloud == "azure" and mode != "vxlan":
            errors.append(FieldError(f"{PATH}.encapsulationMode", 'Azure drops IP-in-IP packets: use "vxlan"'))
    for name, needs in (("ipipMode", "ipip"), ("vxlanMode", "vxlan")):
        value = getattr(calico, name)
        if value in POOL_MODES and value != "Never" and mode not in (None, needs):
            errors.append(FieldError(f"{PATH}.{name}", f'{value!r} needs encapsulationMode "{needs}", not {mode!r}'))
    return errors


def _kube_proxy(calico: Any, kube_proxy: Any) -> list[FieldError]:
    """The eBPF dataplane takes over kube-proxy's job and port; both cannot run."""
    if calico.bpfEnabled and not (kube_proxy is not None and kube_proxy.enabled is False):
        return [FieldError("spec.kubeProxy.enabled",
                           f"must be false when Calico's eBPF dataplane is on ({PATH}.bpfEnabled: true)")]
    return []


def autodetection_problem(method: str, version: int) -> str | None:
    """What is wrong with a calico-node IP autodetection method, or None. Accepted forms: ``first-found``,
    ``can-reach=ADDRESS``, ``interface=REGEX,...`` and ``skip-interface=REGEX,...``."""
    kind, sep, arg = method.partition("=")
    if kind == "first-found" and not sep:
        return None
    if kind == "can-reach" and sep:
        try:
            address = ipaddress.ip_address(arg)
        except ValueError:
            return f"must name a valid IPv{version} address"
        return None if address.version == version else f"must name a valid IPv{version} address"
    if kind in ("interface", "skip-interface") and sep:
        patterns = re.split(r"\s*,\s*", arg)
        if not patterns[0]:
            return f"'{kind}=' must be followed by a comma-separated list of interface regular expressions"
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                return f"regular expression {pattern!r} does not compile: {exc}"
        return None
    return "unsupported autodetection method (first-found, can-reach=, interface= or skip-interface=)"
