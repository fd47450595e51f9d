"""``metrics-server.addons.k8s.io``: in the channel only when enabled, valid for every supported Kubernetes,
insecure by default and issued a certificate by cert-manager when ``insecure: false``."""

from __future__ import annotations

import pytest
from kops_addons.versions import METRICS_SERVER_IMAGE

NAME = "metrics-server.addons.k8s.io"


@pytest.mark.parametrize("config", [{"enabled": True}, {"enabled": True, "insecure": False}])
def test_enabled_is_in_the_channel_and_valid(completed, channel, schema_problems, config):
    cluster = completed(metricsServer=config, certManager={"enabled": True})
    manifest = channel(cluster)[NAME]
    assert schema_problems(manifest) == []


@pytest.mark.parametrize("config", [None, {"enabled": False}, {"insecure": True}])
def test_disabled_is_absent(completed, channel, config):
    assert NAME not in channel(completed(**({"metricsServer": config} if config is not None else {})))


def test_defaults_are_completed_only_when_enabled(completed):
    assert completed(metricsServer={"enabled": False}).spec.metricsServer.image is None
    config = completed(metricsServer={"enabled": True}).spec.metricsServer
    assert (config.image, config.insecure) == (METRICS_SERVER_IMAGE, True)
    mine = completed(metricsServer={"enabled": True, "image": "example.com/ms:v1", "insecure": False},
                     certManager={"enabled": True}).spec.metricsServer
    assert (mine.image, mine.insecure) == ("example.com/ms:v1", False)


def test_insecure_skips_kubelet_verification(completed, addons, objects):
    addon = addons(completed(metricsServer={"enabled": True}))[NAME]
    found = objects(addon.manifest)
    args = found["Deployment", "metrics-server"]["spec"]["template"]["spec"]["containers"][0]["args"]
    assert "--kubelet-insecure-tls" in args and "--kubelet-preferred-address-types=Hostname" in args
    assert found["APIService", "v1beta1.metrics.k8s.io"]["spec"]["insecureSkipTLSVerify"] is True
    assert ("Certificate", "metrics-server") not in found
    assert addon.version == METRICS_SERVER_IMAGE.rpartition(":")[2]
    assert addon.selector == {"k8s-app": "metrics-server"}


def test_secure_serves_a_cert_manager_certificate(completed, addons, objects):
    cluster = completed(metricsServer={"enabled": True, "insecure": False}, certManager={"enabled": True})
    found = objects(addons(cluster)[NAME].manifest)
    pod = found["Deployment", "metrics-server"]["spec"]["template"]["spec"]
    assert "--kubelet-insecure-tls" not in pod["containers"][0]["args"]
    assert {"name": "certs", "secret": {"secretName": "metrics-server-tls"}} in pod["volumes"]
    api_service = found["APIService", "v1beta1.metrics.k8s.io"]
    assert api_service["metadata"]["annotations"] == {"cert-manager.io/inject-ca-from": "kube-system/metrics-server"}
    assert "insecureSkipTLSVerify" not in api_service["spec"]
    assert found["Certificate", "metrics-server"]["spec"]["issuerRef"]["name"] == NAME


def test_secure_without_cert_manager_is_an_error(completed, problems):
    found = problems(completed(metricsServer={"enabled": True, "insecure": False}))
    assert list(found) == ["spec.metricsServer.insecure"] and "cert-manager" in found["spec.metricsServer.insecure"]
    assert problems(completed(metricsServer={"enabled": True})) == {}
    assert problems(completed(metricsServer={"enabled": True, "insecure": False}, certManager={"enabled": True})) == {}
