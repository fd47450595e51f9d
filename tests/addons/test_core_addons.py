"""Core's add-ons and the AWS plugin's, rendered from completed clusters: valid for the cluster's Kubernetes,
carrying the cluster's settings, and present only when the cluster enables them."""

from __future__ import annotations

import pytest
from kops.addons.channel import entries
from kops.testing.manifests import KUBERNETES_MINORS

CORE = {"coredns.addons.k8s.io", "dns-controller.addons.k8s.io", "kubelet-api.rbac.addons.k8s.io",
        "limit-range.addons.k8s.io"}
AWS = {"aws-cloud-controller.addons.k8s.io", "aws-ebs-csi-driver.addons.k8s.io", "storage-aws.addons.k8s.io"}


def _container(obj, name):
    spec = obj["spec"]["template"]["spec"]
    return next(c for c in spec["containers"] if c["name"] == name)


@pytest.mark.parametrize("minor", KUBERNETES_MINORS)
@pytest.mark.parametrize("spec", [
    {},
    {"kubeDNS": {"replicas": 3, "nodeLocalDNS": {"enabled": False}, "podAnnotations": {"team": "dns"},
                 "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "dns", "effect": "NoSchedule"}]},
     "snapshotController": {"enabled": True}, "cloudLabels": {"team": "platform"},
     "cloudConfig": {"awsEBSCSIDriver": {"volumeAttachLimit": 20, "hostNetwork": True}},
     "egressProxy": {"httpProxy": {"host": "proxy.example.com", "port": 3128}, "excludes": "10.0.0.0/8"}},
    {"nonMasqueradeCIDR": "::/0", "topology": {"dns": {"type": "Private"}}},
], ids=["defaults", "settings", "ipv6-private"])
def test_every_manifest_is_valid_for_the_clusters_kubernetes(completed, addons, schema_problems, minor, spec):
    cluster = completed(kubernetesVersion=f"v{minor}.4", **spec)
    found = addons(cluster)
    assert CORE | AWS <= set(found)
    for entry in entries(cluster, list(found.values())):
        assert schema_problems(entry.manifest, minor) == [], entry.addon.name
        assert entry.id == f"k8s-{minor}"


def test_sources_name_core_aws_and_the_networking_plugin(completed, addons):
    sources = {name: a.source for name, a in addons(completed()).items()}
    assert {sources[n] for n in CORE} == {"core"}
    assert {sources[n] for n in AWS} == {"aws"}
    assert sources["networking.projectcalico.org"] == "calico"


def test_coredns_answers_on_the_tenth_service_address_for_the_cluster_domain(completed, addons, objects):
    cluster = completed(serviceClusterIPRange="10.96.0.0/12", clusterDNSDomain="corp.internal",
                        kubeDNS={"replicas": 4, "upstreamNameservers": ["10.0.0.2", "10.0.0.3"],
                                 "stubDomains": {"corp.example.com": ["10.1.0.53"]}})
    coredns = addons(cluster)["coredns.addons.k8s.io"]
    found = objects(coredns.manifest)
    assert found["Service", "kube-dns"]["spec"]["clusterIP"] == "10.96.0.10" == cluster.spec.kubeDNS.serverIP
    corefile = found["ConfigMap", "coredns"]["data"]["Corefile"]
    assert "kubernetes corp.internal. in-addr.arpa ip6.arpa" in corefile
    assert "forward . 10.0.0.2 10.0.0.3" in corefile
    assert "corp.example.com:53 {" in corefile and "forward . 10.1.0.53" in corefile
    assert "hosts /rootfs/etc/hosts" not in corefile  # the cluster's names are in DNS
    # Replicas are the autoscaler's floor; the Deployment leaves its count to the autoscaler.
    assert "replicas" not in found["Deployment", "coredns"]["spec"]
    autoscaler = _container(found["Deployment", "coredns-autoscaler"], "autoscaler")
    assert '--default-params={"linear": {"coresPerReplica": 256, "min": 4,' in " ".join(autoscaler["command"])
    assert coredns.version == "v1.14.2"
    assert _container(found["Deployment", "coredns"], "coredns")["image"] == "registry.k8s.io/coredns/coredns:v1.14.2"


def test_coredns_serves_host_names_and_nat64_where_the_cluster_needs_them(completed, addons, objects):
    found = objects(addons(completed(nonMasqueradeCIDR="::/0", topology={"dns": {"type": "None"}},
                                     kubeDNS={"coreDNSImage": "mirror.example.com/coredns:v1.14.9"}))
                    ["coredns.addons.k8s.io"].manifest)
    corefile = found["ConfigMap", "coredns"]["data"]["Corefile"]
    assert "hosts /rootfs/etc/hosts cluster.local" in corefile
    assert "dns64" in corefile
    coredns = _container(found["Deployment", "coredns"], "coredns")
    assert coredns["image"] == "mirror.example.com/coredns:v1.14.9"
    assert {"name": "etc-hosts", "mountPath": "/rootfs/etc/hosts", "readOnly": True} in coredns["volumeMounts"]


def test_no_coredns_for_another_dns_provider(completed, addons):
    assert "coredns.addons.k8s.io" not in addons(completed(kubeDNS={"provider": "KubeDNS"}))


def test_dns_controller_publishes_in_the_clusters_zone(completed, addons, objects):
    found = objects(addons(completed())["dns-controller.addons.k8s.io"].manifest)
    controller = _container(found["Deployment", "dns-controller"], "dns-controller")
    assert controller["args"] == ["--watch-ingress=false", "--dns=aws-route53", "--zone=example.com",
                                  "--internal-ipv4", "--zone=*/*", "-v=2"]
    assert controller["image"] == "registry.k8s.io/kops/dns-controller:1.35.0"
    by_id = objects(addons(completed(dnsZone="Z1AFAKE1ZON3YO", nonMasqueradeCIDR="::/0",
                                     externalDns={"watchIngress": True}))["dns-controller.addons.k8s.io"].manifest)
    assert _container(by_id["Deployment", "dns-controller"], "dns-controller")["args"] == [
        "--watch-ingress=true", "--dns=aws-route53", "--zone=*/Z1AFAKE1ZON3YO", "--internal-ipv6", "--zone=*/*",
        "-v=2"]


@pytest.mark.parametrize("spec", [{"topology": {"dns": {"type": "None"}}}, {"externalDns": {"provider": "external-dns"}}],
                         ids=["dns-none", "external-dns"])
def test_no_dns_controller_when_it_has_nothing_to_publish(completed, addons, spec):
    assert "dns-controller.addons.k8s.io" not in addons(completed(**spec))


def test_cloud_controller_flags_come_from_the_completed_spec(completed, addons, objects):
    found = objects(addons(completed())["aws-cloud-controller.addons.k8s.io"].manifest)
    manager = _container(found["DaemonSet", "aws-cloud-controller-manager"], "aws-cloud-controller-manager")
    assert manager["args"] == [
        "--allocate-node-cidrs=true", "--cluster-cidr=100.96.0.0/11", "--cluster-name=addons.example.com",
        "--configure-cloud-routes=false", "--leader-elect=true", "--v=2", "--cloud-provider=aws",
        "--use-service-account-credentials=true", "--cloud-config=/etc/kubernetes/cloud.config"]
    assert manager["image"] == "registry.k8s.io/provider-aws/cloud-controller-manager:v1.36.1"


def test_ebs_csi_driver_follows_the_clusters_settings(completed, addons, objects):
    plain = objects(addons(completed())["aws-ebs-csi-driver.addons.k8s.io"].manifest)
    controller = plain["Deployment", "ebs-csi-controller"]
    assert controller["spec"]["replicas"] == 1
    plugin = _container(controller, "ebs-plugin")
    assert "--extra-tags=KubernetesCluster=addons.example.com" in plugin["args"]
    assert {"name": "AWS_REGION", "value": "us-east-1"} in plugin["env"]
    assert plugin["image"] == "registry.k8s.io/provider-aws/aws-ebs-csi-driver:v1.58.0"
    assert "csi-snapshotter" not in {c["name"] for c in controller["spec"]["template"]["spec"]["containers"]}

    three = [{"name": n, "instanceGroup": f"control-plane-{n}"} for n in "abc"]
    tuned = completed(etcdClusters=[{"name": "main", "etcdMembers": three}, {"name": "events", "etcdMembers": three}],
                      snapshotController={"enabled": True}, cloudLabels={"team": "platform"},
                      cloudConfig={"awsEBSCSIDriver": {"version": "v1.57.1", "volumeAttachLimit": 20}})
    addon = addons(tuned)["aws-ebs-csi-driver.addons.k8s.io"]
    found = objects(addon.manifest)
    controller = found["Deployment", "ebs-csi-controller"]
    assert controller["spec"]["replicas"] == 2
    assert "csi-snapshotter" in {c["name"] for c in controller["spec"]["template"]["spec"]["containers"]}
    assert ("ClusterRole", "ebs-external-snapshotter-role") in found
    assert "--extra-tags=KubernetesCluster=addons.example.com,team=platform" in _container(controller,
                                                                                            "ebs-plugin")["args"]
    assert "--volume-attach-limit=20" in _container(found["DaemonSet", "ebs-csi-node"], "ebs-plugin")["args"]
    assert addon.version == "v1.57.1"


def test_switched_off_aws_addons_are_left_out(completed, addons):
    found = addons(completed(cloudConfig={"manageStorageClasses": False, "awsEBSCSIDriver": {"managed": False}}))
    assert "storage-aws.addons.k8s.io" not in found
    assert "aws-ebs-csi-driver.addons.k8s.io" not in found
    assert "aws-cloud-controller.addons.k8s.io" in found


def test_aws_addons_only_for_aws_clusters(completed):
    from kops import api
    from kops_aws.addons import addons as aws_addons

    tree = api.to_dict(completed())
    tree["spec"]["cloudProvider"] = "gce"
    assert aws_addons(api.from_dict(tree)) == []


def test_storage_classes_default_to_encrypted_gp3_through_csi(completed, addons, objects):
    found = objects(addons(completed())["storage-aws.addons.k8s.io"].manifest)
    defaults = [o for (kind, _), o in found.items() if kind == "StorageClass"
                and o["metadata"].get("annotations", {}).get("storageclass.kubernetes.io/is-default-class") == "true"]
    assert [(d["metadata"]["name"], d["provisioner"], d["parameters"]) for d in defaults] == [
        ("kops-csi-1-21", "ebs.csi.aws.com", {"type": "gp3", "encrypted": "true"})]
