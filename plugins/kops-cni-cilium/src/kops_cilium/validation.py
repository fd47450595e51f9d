"""Checks of ``spec.networking.cilium``, following upstream kOps's validation, each naming its field path."""

from __future__ import annotations

import re
from typing import Any

from kops.errors import FieldError

from kops_cilium.defaults import cilium_of, is_ipv6_only

PATH = "spec.networking.cilium"
SUPPORTED_MINOR = 18
_VERSION = re.compile(r"^v(\d+)\.(\d+)\.(\d+)(?:[-+][0-9A-Za-z.+-]*)?$")

#: Fields that take one of a few words, and the words.
CHOICES = {
    "enablePolicy": ("default", "always", "never"),
    "tunnel": ("vxlan", "geneve", "disabled"),
    "monitorAggregation": ("low", "medium", "maximum"),
    "identityAllocationMode": ("crd", "kvstore"),
    "bpfLBAlgorithm": ("random", "maglev"),
    "encryptionType": ("ipsec", "wireguard"),
    # Azure IPAM exists in Cilium but kops cannot provide what it needs.
    "ipam": ("hostscope", "kubernetes", "crd", "eni"),
}


def validate(cluster: Any) -> list[FieldError]:
    c = cilium_of(cluster)
    if c is None:
        return []
    spec = cluster.spec
    ipv6_only = is_ipv6_only(spec.nonMasqueradeCIDR)
    errors = _version(c.version)
    errors += [FieldError(f"{PATH}.{name}", f"unsupported value {getattr(c, name)!r}: expected one of "
                          + ", ".join(repr(w) for w in words))
               for name, words in CHOICES.items() if getattr(c, name) and getattr(c, name) not in words]

    if c.hubble is not None and c.hubble.enabled is not False and not (spec.certManager and spec.certManager.enabled):
        errors.append(FieldError(f"{PATH}.hubble.enabled", "Hubble needs cert-manager for its certificates: "
                                 "set spec.certManager.enabled to true"))
    if c.enableNodePort and spec.kubeProxy is not None and spec.kubeProxy.enabled is not False:
        errors.append(FieldError("spec.kubeProxy.enabled", "Cilium replaces kube-proxy when "
                                 f"{PATH}.enableNodePort is true, so kube-proxy must be disabled"))
    if c.identityAllocationMode == "kvstore" and not c.etcdManaged:
        errors.append(FieldError(f"{PATH}.identityAllocationMode",
                                 f"the kvstore mode keeps identities in etcd: it needs {PATH}.etcdManaged"))
    if c.bpfLBSockHostNSOnly and not c.bpfLBSock:
        errors.append(FieldError(f"{PATH}.bpfLBSockHostNSOnly", "needs bpfLBSock to be enabled"))
    if c.enableEncryption and ipv6_only:
        errors.append(FieldError(f"{PATH}.enableEncryption", "encryption is not supported on IPv6 clusters"))
    if c.encryptionType and not c.enableEncryption:
        errors.append(FieldError(f"{PATH}.encryptionType", "needs enableEncryption to be true"))
    if c.enableL7Proxy is not False and c.IPTablesRulesNoinstall:
        errors.append(FieldError(f"{PATH}.enableL7Proxy", "the L7 proxy needs Cilium's iptables rules: "
                                 "IPTablesRulesNoinstall must not be true"))
    if c.ipam == "eni":
        if spec.cloudProvider != "aws":
            errors.append(FieldError(f"{PATH}.ipam", "ENI IPAM is supported only on AWS"))
        if ipv6_only:
            errors.append(FieldError(f"{PATH}.ipam", "ENI IPAM does not support IPv6"))
    if c.etcdManaged and not any(e.name == "cilium" for e in spec.etcdClusters or []):
        errors.append(FieldError("spec.etcdClusters", f"{PATH}.etcdManaged needs an etcd cluster named \"cilium\""))
    if c.clusterID is not None and not 0 <= c.clusterID <= 255:
        errors.append(FieldError(f"{PATH}.clusterID", f"{c.clusterID} is out of range: it must be 0 to 255"))
    ingress = c.ingress
    if ingress is not None and ingress.enabled is not False and ingress.defaultLoadBalancerMode not in (
            None, "", "shared", "dedicated"):
        errors.append(FieldError(f"{PATH}.ingress.defaultLoadBalancerMode",
                                 f"unsupported value {ingress.defaultLoadBalancerMode!r}: expected 'shared' or 'dedicated'"))
    return errors


def _version(version: str | None) -> list[FieldError]:
    if not version:
        return []
    path = f"{PATH}.version"
    if not version.startswith("v"):
        return [FieldError(path, f"{version!r} must start with 'v' (for example v1.18.12)")]
    match = _VERSION.match(version)
    if match is None:
        return [FieldError(path, f"{version!r} is not a semantic version")]
    if (int(match[1]), int(match[2])) != (1, SUPPORTED_MINOR):
        return [FieldError(path, f"{version!r} is not supported: only Cilium 1.{SUPPORTED_MINOR} is")]
    return []
