"""``certmanager.io``: in the channel only when enabled and managed by kops, valid for every supported Kubernetes,
with its three components, their webhooks and open CRDs, pinned to one version."""

from __future__ import annotations

import pytest
from kops_addons.versions import CERT_MANAGER_VERSION

NAME = "certmanager.io"


def test_enabled_is_in_the_channel_and_valid(completed, channel, schema_problems):
    manifest = channel(completed(certManager={"enabled": True}))[NAME]
    assert schema_problems(manifest) == []


@pytest.mark.parametrize("config", [None, {"enabled": False}, {"enabled": True, "managed": False}])
def test_disabled_or_unmanaged_is_absent(completed, channel, config):
    assert NAME not in channel(completed(**({"certManager": config} if config is not None else {})))


def test_unmanaged_still_allows_dependent_addons(completed, problems):
    cluster = completed(certManager={"enabled": True, "managed": False}, metricsServer={"enabled": True,
                                                                                        "insecure": False})
    assert problems(cluster) == {}


def test_components_webhooks_and_crds(completed, addons, objects):
    addon = addons(completed(certManager={"enabled": True}))[NAME]
    assert addon.version == CERT_MANAGER_VERSION
    found = objects(addon.manifest)
    for name, component in [("cert-manager", "controller"), ("cert-manager-cainjector", "cainjector"),
                            ("cert-manager-webhook", "webhook")]:
        pod = found["Deployment", name]["spec"]["template"]["spec"]
        assert pod["serviceAccountName"] == name and ("Service", name) in found
        assert pod["containers"][0]["image"] == f"quay.io/jetstack/cert-manager-{component}:{CERT_MANAGER_VERSION}"
    for kind in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"):
        webhook = found[kind, "cert-manager-webhook"]["webhooks"][0]
        assert webhook["clientConfig"]["service"] == {"name": "cert-manager-webhook", "namespace": "kube-system",
                                                      "path": "/mutate" if kind.startswith("Mutating") else "/validate"}
    crds = {name: crd for (kind, name), crd in found.items() if kind == "CustomResourceDefinition"}
    assert sorted(crds) == ["certificaterequests.cert-manager.io", "certificates.cert-manager.io",
                            "challenges.acme.cert-manager.io", "clusterissuers.cert-manager.io",
                            "issuers.cert-manager.io", "orders.acme.cert-manager.io"]
    assert crds["clusterissuers.cert-manager.io"]["spec"]["scope"] == "Cluster"
    for crd in crds.values():
        (version,) = crd["spec"]["versions"]
        assert version["storage"] and version["schema"]["openAPIV3Schema"]["x-kubernetes-preserve-unknown-fields"]
    subjects = {b["metadata"]["name"]: b["subjects"][0]["name"] for (kind, _), b in found.items()
                if kind == "ClusterRoleBinding"}
    assert subjects["cert-manager-controller-certificates"] == "cert-manager"
    assert subjects["cert-manager-cainjector"] == "cert-manager-cainjector"


def test_controller_settings(completed, addons, objects):
    cluster = completed(certManager={"enabled": True, "defaultIssuer": "letsencrypt", "nameservers": ["1.1.1.1"],
                                     "featureGates": {"ServerSideApply": True, "AdditionalCertificateOutputFormats":
                                                      False}})
    pod = objects(addons(cluster)[NAME].manifest)["Deployment", "cert-manager"]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["args"][-5:] == ["--default-issuer-name=letsencrypt", "--default-issuer-kind=ClusterIssuer",
                                      "--default-issuer-group=cert-manager.io",
                                      "--feature-gates=AdditionalCertificateOutputFormats=false",
                                      "--feature-gates=ServerSideApply=true"]
    assert (pod["dnsPolicy"], pod["dnsConfig"]) == ("None", {"nameservers": ["1.1.1.1"]})
    assert {"name": "AWS_REGION", "value": "us-east-1"} in container["env"]
