"""Behaviour of ``complete_cluster``: user values survive, completion is idempotent, and what it fills
follows the Kubernetes version, the IP family, the networking and the cloud."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from kops.channels import load_channel
from kops.errors import KopsError
from kops.inference.completion import complete_cluster
from kops.plugins import load_driver

from tests.inference.agreement import aws_cases, load_input

NAME = "odd.example.com"


def cluster(**spec: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A small AWS cluster: one public subnet, one control-plane group, main and events etcd."""
    base: dict[str, Any] = {
        "cloudProvider": "aws",
        "configBase": f"memfs://clusters.example.com/{NAME}",
        "kubernetesVersion": "v1.34.2",
        "networking": {"cni": {}},
        "subnets": [{"name": "us-test-1a", "zone": "us-test-1a", "type": "Public", "cidr": "172.20.32.0/19"}],
        "etcdClusters": [
            {"name": name, "etcdMembers": [{"name": "a", "instanceGroup": "control-plane-us-test-1a"}]}
            for name in ("main", "events")
        ],
        "kubernetesApiAccess": ["0.0.0.0/0"],
    }
    base.update(spec)
    groups = [
        {"apiVersion": "kops.k8s.io/v1alpha2", "kind": "InstanceGroup", "metadata": {"name": name},
         "spec": {"role": role, "subnets": ["us-test-1a"], "minSize": 1, "maxSize": 1}}
        for name, role in (("control-plane-us-test-1a", "ControlPlane"), ("nodes", "Node"))
    ]
    return {"apiVersion": "kops.k8s.io/v1alpha2", "kind": "Cluster", "metadata": {"name": NAME}, "spec": base}, groups


def complete(c: dict[str, Any], groups: list[dict[str, Any]], warnings: list[str] | None = None) -> dict[str, Any]:
    return complete_cluster(c, groups, load_driver("cloud", "aws")(), load_channel("stable"), warnings)


def spec_of(**spec: Any) -> dict[str, Any]:
    return complete(*cluster(**spec))["spec"]


def test_user_values_are_never_overwritten() -> None:
    odd = {
        "kubeAPIServer": {"logLevel": 7, "image": "example.com/apiserver:mine", "securePort": 8443,
                          "enableAdmissionPlugins": ["NodeRestriction"], "serviceAccountIssuer": "https://issuer.example"},
        "kubelet": {"clusterDNS": "10.9.9.9", "cgroupDriver": "cgroupfs", "shutdownGracePeriod": "2m0s"},
        "masterKubelet": {"featureGates": {"ImageVolume": "false"}},
        "kubeControllerManager": {"configureCloudRoutes": True, "clusterCIDR": "10.200.0.0/16", "logLevel": 4},
        "kubeDNS": {"serverIP": "100.64.0.53", "cacheMaxSize": 5},
        "containerd": {"version": "2.1.9"},
        "etcdClusters": [{"name": "main", "version": "3.5.9",
                          "etcdMembers": [{"name": "a", "instanceGroup": "control-plane-us-test-1a"}]}],
        "cloudControllerManager": {"image": "example.com/ccm:mine", "leaderElection": {"leaderElect": False}},
        "nodeTerminationHandler": {"enabled": False},
        "podCIDR": "10.100.0.0/16",
        "channel": "alpha",
    }
    spec = spec_of(**odd)
    assert spec["kubeAPIServer"]["logLevel"] == 7
    assert spec["kubeAPIServer"]["image"] == "example.com/apiserver:mine"
    assert spec["kubeAPIServer"]["securePort"] == 8443
    assert spec["kubeAPIServer"]["enableAdmissionPlugins"] == ["NodeRestriction"]
    assert spec["kubeAPIServer"]["serviceAccountJWKSURI"] == "https://issuer.example/openid/v1/jwks"
    assert spec["kubelet"]["clusterDNS"] == "10.9.9.9"
    assert spec["kubelet"]["cgroupDriver"] == "cgroupfs"
    assert spec["kubelet"]["shutdownGracePeriod"] == "2m0s"
    assert "shutdownGracePeriodCriticalPods" not in spec["kubelet"]
    assert spec["masterKubelet"]["featureGates"] == {"ImageVolume": "false"}
    assert spec["kubeControllerManager"]["configureCloudRoutes"] is True
    assert spec["kubeControllerManager"]["clusterCIDR"] == "10.200.0.0/16"
    assert spec["kubeProxy"]["clusterCIDR"] == "10.200.0.0/16"
    assert (spec["kubeDNS"]["serverIP"], spec["kubeDNS"]["cacheMaxSize"]) == ("100.64.0.53", 5)
    assert spec["containerd"]["version"] == "2.1.9"
    assert "runc" not in spec["containerd"]  # runc is pinned only with a defaulted containerd
    assert spec["etcdClusters"][0]["version"] == "3.5.9"
    assert spec["kubeAPIServer"]["storageBackend"] == "etcd3"
    assert spec["cloudControllerManager"]["image"] == "example.com/ccm:mine"
    assert spec["cloudControllerManager"]["leaderElection"] == {"leaderElect": False}
    assert spec["cloudControllerManager"]["clusterCIDR"] == "10.100.0.0/16"
    assert spec["nodeTerminationHandler"] == {"enabled": False}
    assert spec["channel"] == "alpha"


def test_the_input_is_not_modified() -> None:
    c, groups = cluster()
    before = copy.deepcopy((c, groups))
    complete(c, groups)
    assert (c, groups) == before


@pytest.mark.parametrize("case", aws_cases())
def test_completing_a_completed_spec_changes_nothing(case: str) -> None:
    c, groups = load_input(case)
    once = complete(c, groups)
    assert complete(once, groups) == once


def test_completing_a_completed_spec_changes_nothing_for_ipv6_kubenet_and_node_local_dns() -> None:
    for spec in ({"nonMasqueradeCIDR": "::/0"}, {"networking": {"kubenet": {}}},
                 {"kubeDNS": {"nodeLocalDNS": {"enabled": True}}}, {"isolateMasters": True}):
        c, groups = cluster(**spec)
        once = complete(c, groups)
        assert complete(once, groups) == once, spec


@pytest.mark.parametrize(("version", "etcd", "register_schedulable", "apiserver_cloud", "image_volume"), [
    ("v1.32.4", "3.5.31", True, "external", "true"),
    ("1.33.1", "3.5.31", True, None, "true"),
    ("v1.34.0-alpha.1", "3.6.12", None, None, "true"),
    ("v1.35.7", "3.6.12", None, None, "true"),
    ("v1.36.0-rc.1", "3.6.12", None, None, None),
    ("v1.37.0", "3.7.0", None, None, None),
])
def test_version_dependent_values(version: str, etcd: str, register_schedulable: bool | None,
                                  apiserver_cloud: str | None, image_volume: str | None) -> None:
    spec = spec_of(kubernetesVersion=version)
    tag = "v" + version.removeprefix("v")
    assert spec["kubeAPIServer"]["image"] == f"registry.k8s.io/kube-apiserver:{tag}"
    assert spec["kubeControllerManager"]["image"] == f"registry.k8s.io/kube-controller-manager:{tag}"
    assert spec["kubeScheduler"]["image"] == f"registry.k8s.io/kube-scheduler:{tag}"
    assert spec["kubeProxy"]["image"] == f"registry.k8s.io/kube-proxy:{tag}"
    assert {c["version"] for c in spec["etcdClusters"]} == {etcd}
    assert spec["kubelet"].get("registerSchedulable") is register_schedulable
    assert spec["masterKubelet"].get("registerSchedulable") is register_schedulable
    assert spec["kubeAPIServer"].get("cloudProvider") == apiserver_cloud
    assert (spec["masterKubelet"].get("featureGates") or {}).get("ImageVolume") == image_volume
    assert "featureGates" not in spec["kubelet"]


def test_cluster_autoscaler_follows_the_minor_version() -> None:
    images = {v: spec_of(kubernetesVersion=v, clusterAutoscaler={"enabled": True})["clusterAutoscaler"]["image"]
              for v in ("v1.33.0", "v1.35.2", "v1.40.0")}
    assert images == {
        "v1.33.0": "registry.k8s.io/autoscaling/cluster-autoscaler:v1.33.5",
        "v1.35.2": "registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.1",
        "v1.40.0": "registry.k8s.io/autoscaling/cluster-autoscaler:v1.36.0",
    }
    assert "clusterAutoscaler" not in spec_of()


def test_missing_version_comes_from_the_channel() -> None:
    c, groups = cluster()
    del c["spec"]["kubernetesVersion"]
    spec = complete(c, groups)["spec"]
    recommended = load_channel("stable").recommended_kubernetes_version()
    assert spec["kubernetesVersion"] == recommended
    assert spec["kubeAPIServer"]["image"].endswith(":" + recommended)


def test_without_a_version_or_channel_completion_fails_naming_the_field() -> None:
    c, groups = cluster()
    del c["spec"]["kubernetesVersion"]
    with pytest.raises(KopsError, match="spec.kubernetesVersion"):
        complete_cluster(c, groups, load_driver("cloud", "aws")(), None)


def test_custom_build_gets_no_image_tags() -> None:
    warnings: list[str] = []
    url = "https://builds.example.com/kubernetes/v1.34.1-custom/"
    spec = complete(*cluster(kubernetesVersion=url), warnings=warnings)["spec"]
    assert "image" not in spec["kubeAPIServer"]
    assert spec["etcdClusters"][0]["version"] == "3.6.12"
    assert any("kube-apiserver" in w for w in warnings)


def test_control_plane_kubelet_starts_from_the_node_kubelet() -> None:
    spec = spec_of(kubelet={"anonymousAuth": False, "maxPods": 50, "featureGates": {"A": "true"}},
                   masterKubelet={"maxPods": 20, "featureGates": {"B": "false"}})
    assert spec["masterKubelet"]["anonymousAuth"] is False
    assert spec["masterKubelet"]["maxPods"] == 20
    assert spec["masterKubelet"]["featureGates"] == {"A": "true", "B": "false", "ImageVolume": "true"}
    assert spec["kubelet"]["maxPods"] == 50
    assert spec["kubelet"]["featureGates"] == {"A": "true"}


def test_ranges_and_addresses_come_from_the_non_masquerade_cidr() -> None:
    spec = spec_of(nonMasqueradeCIDR="10.0.0.0/8", serviceClusterIPRange="10.32.0.0/16")
    assert spec["podCIDR"] == "10.128.0.0/9"
    assert spec["kubeControllerManager"]["clusterCIDR"] == "10.128.0.0/9"
    assert spec["kubeDNS"]["serverIP"] == "10.32.0.10"
    assert spec["kubelet"]["clusterDNS"] == "10.32.0.10"
    assert spec["kubeAPIServer"]["serviceClusterIPRange"] == "10.32.0.0/16"


def test_ipv6_only_cluster() -> None:
    spec = spec_of(nonMasqueradeCIDR="::/0")
    assert "podCIDR" not in spec
    assert spec["serviceClusterIPRange"] == "fd00:5e4f:ce::/108"
    assert spec["kubeDNS"]["serverIP"] == "fd00:5e4f:ce::a"
    assert spec["kubeDNS"]["upstreamNameservers"] == ["fd00:ec2::253"]
    assert spec["cloudConfig"]["nodeIPFamilies"] == ["ipv6", "ipv4"]
    assert spec["kubeAPIServer"]["bindAddress"] == "::"
    kcm = spec["kubeControllerManager"]
    assert kcm["allocateNodeCIDRs"] is False and "clusterCIDR" not in kcm
    assert kcm["controllers"] == ["*", "-nodeipam"]
    assert "clusterCIDR" not in spec["kubeProxy"]
    assert spec["cloudControllerManager"]["allocateNodeCIDRs"] is False


def test_ipv6_cluster_range_splits_node_masks() -> None:
    spec = spec_of(kubeControllerManager={"clusterCIDR": "fd00:10::/56"}, podCIDR="fd00:10::/56")
    assert spec["kubeControllerManager"]["nodeCIDRMaskSize"] == 72


def test_kubenet_uses_cloud_routes() -> None:
    spec = spec_of(networking={"kubenet": {}})
    assert spec["kubeControllerManager"]["configureCloudRoutes"] is True
    assert spec["cloudControllerManager"]["configureCloudRoutes"] is True
    assert spec_of()["kubeControllerManager"]["configureCloudRoutes"] is False


def test_amazon_vpc_pods_use_vpc_addresses() -> None:
    spec = spec_of(networking={"amazonvpc": {}})  # the VPC CIDR is assigned, and pods share it
    assert spec["nonMasqueradeCIDR"] == "172.20.0.0/16"
    assert spec["podCIDR"] == "172.20.128.0/17"
    assert "clusterCIDR" not in spec["kubeProxy"]
    assert spec["kubelet"]["shutdownGracePeriod"] == "0s"
    assert spec["masterKubelet"]["shutdownGracePeriodCriticalPods"] == "0s"


def test_node_local_dns_moves_kubelet_dns() -> None:
    spec = spec_of(kubeDNS={"nodeLocalDNS": {"enabled": True}})
    assert spec["kubeDNS"]["nodeLocalDNS"]["localIP"] == "169.254.20.10"
    assert spec["kubeDNS"]["nodeLocalDNS"]["forwardToKubeDNS"] is False
    assert spec["kubelet"]["clusterDNS"] == spec["masterKubelet"]["clusterDNS"] == "169.254.20.10"


def test_isolated_control_plane() -> None:
    spec = spec_of(isolateMasters=True)
    assert spec["masterKubelet"]["enableDebuggingHandlers"] is False
    assert spec["masterKubelet"]["hairpinMode"] == "none"
    assert spec["kubelet"]["enableDebuggingHandlers"] is True


@pytest.mark.parametrize(("subnet_type", "api"), [
    ("Public", {"dns": {}}),
    ("Private", {"loadBalancer": {"type": "Public", "class": "Classic"}}),
])
def test_api_access_follows_the_control_plane_subnets(subnet_type: str, api: dict) -> None:
    subnets = [{"name": "us-test-1a", "zone": "us-test-1a", "type": subnet_type, "cidr": "172.20.32.0/19"}]
    assert spec_of(subnets=subnets)["api"] == api
    assert spec_of(subnets=subnets, api={"loadBalancer": {"class": "Network"}})["api"] == {
        "loadBalancer": {"class": "Network", "type": "Public"}}


def test_authorization_and_iam_defaults() -> None:
    spec = spec_of(authorization={}, iam={"allowContainerRegistry": True})
    assert spec["authorization"] == {"rbac": {}}
    assert spec["kubeAPIServer"]["authorizationMode"] == "Node,RBAC"
    assert spec["iam"] == {"allowContainerRegistry": True, "legacy": False}
    allow = spec_of(authorization={"alwaysAllow": {}})
    assert allow["authorization"] == {"alwaysAllow": {}}
    assert allow["kubeAPIServer"]["authorizationMode"] == "AlwaysAllow"
    assert "iam" not in spec_of()


def test_dns_and_stores() -> None:
    spec = spec_of()
    base = f"memfs://clusters.example.com/{NAME}"
    assert spec["topology"] == {"dns": {"type": "Public"}}
    assert spec["masterPublicName"] == f"api.{NAME}"
    assert spec["externalDns"] == {"provider": "dns-controller"}
    assert spec["keyStore"] == base + "/pki" and spec["secretStore"] == base + "/secrets"
    assert [c["backups"]["backupStore"] for c in spec["etcdClusters"]] == [
        base + "/backups/etcd/main", base + "/backups/etcd/events"]
    none = spec_of(topology={"dns": {"type": "None"}})
    assert "externalDns" not in none and "masterPublicName" not in none


def test_etcd_endpoints_follow_the_etcd_clusters() -> None:
    members = [{"name": "a", "instanceGroup": "control-plane-us-test-1a"}]
    spec = spec_of(etcdClusters=[{"name": n, "etcdMembers": members} for n in ("main", "events", "leases")])
    assert spec["kubeAPIServer"]["etcdServers"] == ["https://127.0.0.1:4001"]
    assert spec["kubeAPIServer"]["etcdServersOverrides"] == [
        "/events#https://127.0.0.1:4002", "coordination.k8s.io/leases#https://127.0.0.1:4004"]
    assert spec["kubeAPIServer"]["apiServerCount"] == 1


@pytest.mark.parametrize(("assets", "image"), [
    ({"containerProxy": "proxy.example.com/"}, "proxy.example.com/kube-apiserver:v1.34.2"),
    ({"containerRegistry": "mirror.example.com"}, "mirror.example.com/kube-apiserver:v1.34.2"),
])
def test_images_are_remapped_through_assets(assets: dict, image: str) -> None:
    spec = spec_of(assets=assets)
    assert spec["kubeAPIServer"]["image"] == image
    assert spec["containerd"]["sandboxImage"].endswith("pause:3.10.1")
    assert not spec["containerd"]["sandboxImage"].startswith("registry.k8s.io/")


@pytest.mark.parametrize(("discovery", "access", "anonymous", "issuer"), [
    ({"discoveryStore": "memfs://discovery.example.com/odd"}, ["0.0.0.0/0"], False,
     "https://discovery.example.com/odd"),
    ({"discoveryStore": "gs://bucket/odd/"}, ["0.0.0.0/0"], False, "https://storage.googleapis.com/bucket/odd"),
    ({"discoveryService": {"url": "https://oidc.example.com"}}, ["0.0.0.0/0"], False, "https://oidc.example.com"),
    (None, ["0.0.0.0/0"], True, f"https://api.{NAME}"),
    (None, ["10.0.0.0/8"], True, f"https://api.internal.{NAME}"),
    (None, ["0.0.0.0/0"], False, f"https://api.internal.{NAME}"),
])
def test_service_account_issuer(discovery: dict | None, access: list[str], anonymous: bool, issuer: str) -> None:
    extra: dict[str, Any] = {"kubernetesApiAccess": access, "kubeAPIServer": {"anonymousAuth": anonymous}}
    if discovery:
        extra["serviceAccountIssuerDiscovery"] = discovery
    api = spec_of(**extra)["kubeAPIServer"]
    assert api["serviceAccountIssuer"] == issuer
    assert api["serviceAccountJWKSURI"] == issuer + "/openid/v1/jwks"
    assert api["apiAudiences"] == ["kubernetes.svc.default"]


def test_s3_discovery_store_issuer_is_the_buckets_address_in_the_clusters_region() -> None:
    warnings: list[str] = []
    c, groups = cluster(serviceAccountIssuerDiscovery={"discoveryStore": "s3://bucket/odd"})
    api = complete(c, groups, warnings)["spec"]["kubeAPIServer"]
    assert api["serviceAccountIssuer"] == "https://bucket.s3.us-test-1.amazonaws.com/odd"
    assert api["serviceAccountJWKSURI"] == "https://bucket.s3.us-test-1.amazonaws.com/odd/openid/v1/jwks"
    assert warnings == []


def test_s3_discovery_store_issuer_set_by_the_user_is_kept() -> None:
    c, groups = cluster(serviceAccountIssuerDiscovery={"discoveryStore": "s3://bucket/odd"},
                        kubeAPIServer={"serviceAccountIssuer": "https://bucket.s3.eu-west-1.amazonaws.com/odd"})
    api = complete(c, groups, [])["spec"]["kubeAPIServer"]
    assert api["serviceAccountIssuer"] == "https://bucket.s3.eu-west-1.amazonaws.com/odd"


def test_aws_components() -> None:
    spec = spec_of()
    assert spec["cloudConfig"] == {"manageStorageClasses": True, "awsEBSCSIDriver": {"version": "v1.58.0"}}
    assert spec["cloudControllerManager"]["image"].startswith("registry.k8s.io/provider-aws/cloud-controller-manager:")
    assert spec["cloudControllerManager"]["clusterName"] == NAME
    assert spec["nodeTerminationHandler"]["enabled"] is True
    assert spec["nodeTerminationHandler"]["podTerminationGracePeriod"] == -1
    assert spec["kubelet"]["cloudProvider"] == spec["kubeControllerManager"]["cloudProvider"] == "external"


def test_karpenter_replaces_the_node_termination_handler() -> None:
    spec = spec_of(karpenter={"enabled": True})
    assert "nodeTerminationHandler" not in spec
    assert spec["karpenter"]["logEncoding"] == "console"
    assert spec["karpenter"]["image"].startswith("public.ecr.aws/karpenter/controller:")


def test_containerd_extras() -> None:
    spec = spec_of(containerd={"nvidiaGPU": {"enabled": True}, "gvisor": {"enabled": True}})
    assert spec["containerd"]["nvidiaGPU"]["package"] == "nvidia-driver-535-server"
    assert spec["containerd"]["gvisor"]["platform"] == "systrap"
    assert spec["containerd"]["runc"] == {"version": "1.4.3"}


def test_node_problem_detector_only_when_configured() -> None:
    assert "nodeProblemDetector" not in spec_of()
    npd = spec_of(nodeProblemDetector={})["nodeProblemDetector"]
    assert npd["enabled"] is False and npd["memoryLimit"] == "100Mi"


def test_metrics_server_enables_aggregator_routing() -> None:
    assert spec_of(metricsServer={"enabled": True})["kubeAPIServer"]["enableAggregatorRouting"] is True
    assert "enableAggregatorRouting" not in spec_of()["kubeAPIServer"]


def test_a_shared_subnet_keeps_the_cidr_the_cloud_gave_it() -> None:
    """Offline (create, Terraform) a shared subnet without a CIDR gets none carved: the update reads the cloud's."""
    spec = spec_of(networkID="vpc-1", networkCIDR="10.0.0.0/16", subnets=[
        {"name": "us-test-1a", "id": "subnet-1", "zone": "us-test-1a", "type": "Public"},
        {"name": "us-test-1b", "id": "subnet-2", "zone": "us-test-1b", "type": "Public", "cidr": "10.0.128.0/17"}])
    assert [s.get("cidr") for s in spec["subnets"]] == [None, "10.0.128.0/17"]
