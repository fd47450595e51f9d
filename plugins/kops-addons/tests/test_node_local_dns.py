"""``nodelocaldns.addons.k8s.io``: the cache kubelets are pointed at when node-local DNS is enabled, in the
channel only then, valid for every supported Kubernetes, listening where kubelets look and forwarding to CoreDNS."""

from __future__ import annotations

import json

import pytest

NAME = "nodelocaldns.addons.k8s.io"


def corefile(found):
    return found["ConfigMap", "node-local-dns"]["data"]["Corefile"]


def test_enabling_puts_the_cache_where_kubelets_look(completed, channel, schema_problems, objects):
    cluster = completed(kubeDNS={"nodeLocalDNS": {"enabled": True}})
    manifest = channel(cluster)[NAME]
    assert schema_problems(manifest) == []
    found = objects(manifest)
    container = found["DaemonSet", "node-local-dns"]["spec"]["template"]["spec"]["containers"][0]
    local_ip = cluster.spec.kubelet.clusterDNS
    assert local_ip == "169.254.20.10"
    assert f"-localip={local_ip}" in container["args"]
    assert container["image"] == cluster.spec.kubeDNS.nodeLocalDNS.image
    assert container["image"].startswith("registry.k8s.io/dns/k8s-dns-node-cache:")
    assert {(p["containerPort"], p["protocol"]) for p in container["ports"]} == {(53, "UDP"), (53, "TCP"),
                                                                                 (9253, "TCP")}
    assert container["livenessProbe"]["httpGet"]["host"] == local_ip
    text = corefile(found)
    assert f"bind {local_ip}" in text and f"health {local_ip}:3989" in text
    # The service range's tenth address is CoreDNS; cluster names and reverse lookups go there, others upstream.
    assert cluster.spec.kubeDNS.serverIP == "100.64.0.10"
    assert "cluster.local:53 {" in text and "forward . 100.64.0.10 {" in text
    assert "forward . __PILLAR__UPSTREAM__SERVERS__" in text and "in-addr.arpa:53" in text


@pytest.mark.parametrize("config", [None, {"enabled": False}])
def test_disabled_is_absent(completed, channel, config):
    spec = {"kubeDNS": {"nodeLocalDNS": config}} if config is not None else {}
    assert NAME not in channel(completed(**spec))


def test_forward_to_kube_dns_sends_every_name_to_coredns(completed, addons, objects, schema_problems):
    cluster = completed(serviceClusterIPRange="10.96.0.0/16",
                        kubeDNS={"nodeLocalDNS": {"enabled": True, "localIP": "169.254.0.53", "forwardToKubeDNS": True,
                                                  "podAnnotations": {"example.com/team": "dns"}}})
    manifest = addons(cluster)[NAME].manifest
    assert schema_problems(manifest) == []
    found = objects(manifest)
    text = corefile(found)
    assert "__PILLAR__UPSTREAM__SERVERS__" not in text and "in-addr.arpa" not in text
    assert ".:53 {" in text and "forward . 10.96.0.10 {" in text and "bind 169.254.0.53" in text
    pod = found["DaemonSet", "node-local-dns"]["spec"]["template"]
    assert pod["metadata"]["annotations"]["example.com/team"] == "dns"


def test_external_corefile_replaces_the_generated_one(completed, addons, objects):
    mine = "example.org:53 {\n    forward . 10.0.0.2\n}\n"
    cluster = completed(kubeDNS={"nodeLocalDNS": {"enabled": True, "externalCoreFile": mine}})
    assert corefile(objects(addons(cluster)[NAME].manifest)) == mine


def test_additional_config_is_appended(completed, addons, objects):
    extra = "example.org:53 {\n    forward . 10.0.0.2\n}"
    cluster = completed(kubeDNS={"nodeLocalDNS": {"enabled": True, "additionalConfig": extra}})
    text = corefile(objects(addons(cluster)[NAME].manifest))
    assert text.rstrip().endswith("example.org:53 {\n    forward . 10.0.0.2\n}")


def test_validation(completed, problems):
    assert problems(completed(kubeDNS={"nodeLocalDNS": {"enabled": True}})) == {}
    found = problems(completed(kubeDNS={"nodeLocalDNS": {"enabled": True, "localIP": "not-an-ip"}}))
    assert list(found) == ["spec.kubeDNS.nodeLocalDNS.localIP"]
    found = problems(completed(kubeDNS={"provider": "KubeDNS", "nodeLocalDNS": {"enabled": True}}))
    assert "spec.kubeDNS.provider" in found and "CoreDNS" in found["spec.kubeDNS.provider"]
    assert problems(completed(kubeDNS={"nodeLocalDNS": {"enabled": False, "localIP": "not-an-ip"}})) == {}


def test_listed_with_source_addons(kops):
    cluster = "nodelocal.example.com"
    created = kops("create", "cluster", cluster, "--cloud", "aws", "--zones", "us-east-1a", "--dns", "private")
    assert created.returncode == 0, created.stderr
    edited = kops("edit", "cluster", cluster, "--set", "spec.kubeDNS.nodeLocalDNS.enabled=true")
    assert edited.returncode == 0, edited.stderr
    listed = kops("toolbox", "addons", "list", cluster, "-o", "json")
    assert listed.returncode == 0, listed.stderr
    assert {a["name"]: a["source"] for a in json.loads(listed.stdout)}[NAME] == "addons"
