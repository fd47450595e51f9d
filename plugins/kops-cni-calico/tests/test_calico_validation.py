"""Calico's options are checked, each problem naming its field; other providers' clusters are not."""

from __future__ import annotations

import pytest
from kops_calico.validation import autodetection_problem


def test_default_cluster_is_valid(problems, make_cluster):
    assert problems(make_cluster()) == {}


@pytest.mark.parametrize(("calico", "overrides", "path"), [
    ({"encapsulationMode": "gre"}, {}, "spec.networking.calico.encapsulationMode"),
    ({"encapsulationMode": "none"}, {}, "spec.networking.calico.encapsulationMode"),
    ({"encapsulationMode": "ipip"}, {"nonMasqueradeCIDR": "::/0"}, "spec.networking.calico.encapsulationMode"),
    ({"typhaReplicas": -1}, {}, "spec.networking.calico.typhaReplicas"),
    ({"ipipMode": "Sometimes"}, {}, "spec.networking.calico.ipipMode"),
    ({"encapsulationMode": "vxlan", "ipipMode": "Always"}, {}, "spec.networking.calico.ipipMode"),
    ({"encapsulationMode": "ipip", "vxlanMode": "CrossSubnet"}, {}, "spec.networking.calico.vxlanMode"),
    ({"bpfLogLevel": "Verbose"}, {}, "spec.networking.calico.bpfLogLevel"),
    ({"bpfExternalServiceMode": "NAT"}, {}, "spec.networking.calico.bpfExternalServiceMode"),
    ({"chainInsertMode": "prepend"}, {}, "spec.networking.calico.chainInsertMode"),
    ({"iptablesBackend": "nft"}, {}, "spec.networking.calico.iptablesBackend"),
    ({"awsSrcDstCheck": "Maybe"}, {}, "spec.networking.calico.awsSrcDstCheck"),
    ({"awsSrcDstCheck": "Disable"}, {"nonMasqueradeCIDR": "::/0"}, "spec.networking.calico.awsSrcDstCheck"),
    ({"wireguardEnabled": True}, {"nonMasqueradeCIDR": "::/0"}, "spec.networking.calico.wireguardEnabled"),
    ({"ipv4AutoDetectionMethod": "can-reach=2001:db8::1"}, {}, "spec.networking.calico.ipv4AutoDetectionMethod"),
    ({"ipv6AutoDetectionMethod": "interface=("}, {}, "spec.networking.calico.ipv6AutoDetectionMethod"),
    ({"bpfEnabled": True}, {}, "spec.kubeProxy.enabled"),
    ({"bpfEnabled": True}, {"kubeProxy": {"enabled": True}}, "spec.kubeProxy.enabled"),
])
def test_problem_is_reported_at_its_path(problems, make_cluster, calico, overrides, path):
    assert path in problems(make_cluster({"calico": calico}, **overrides))


@pytest.mark.parametrize(("calico", "overrides"), [
    ({"bpfEnabled": True}, {"kubeProxy": {"enabled": False}}),
    ({"encapsulationMode": "none"}, {"nonMasqueradeCIDR": "::/0"}),
    ({"encapsulationMode": "vxlan", "vxlanMode": "Always", "ipipMode": "Never"}, {}),
    ({"typhaReplicas": 0, "awsSrcDstCheck": "DoNothing", "nftablesMode": "Auto"}, {}),
    ({"ipv4AutoDetectionMethod": "skip-interface=eth1, cali.*", "ipv6AutoDetectionMethod": "first-found"}, {}),
])
def test_supported_settings_pass(problems, make_cluster, calico, overrides):
    assert problems(make_cluster({"calico": calico}, **overrides)) == {}


def test_other_providers_are_not_checked(problems, make_cluster):
    cluster = make_cluster({"cni": {}}, kubeProxy={"enabled": True})
    assert problems(cluster) == {}


@pytest.mark.parametrize(("method", "version", "ok"), [
    ("first-found", 4, True),
    ("can-reach=8.8.8.8", 4, True),
    ("can-reach=8.8.8.8", 6, False),
    ("can-reach=nowhere", 4, False),
    ("interface=eth.*", 4, True),
    ("interface=", 4, False),
    ("kubernetes-internal-ip", 4, False),
])
def test_autodetection_methods(method, version, ok):
    assert (autodetection_problem(method, version) is None) is ok
