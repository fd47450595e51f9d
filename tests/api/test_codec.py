"""What a user sees when reading and writing manifests: exact values back, and one-line errors that name the field."""

import textwrap

import pytest
import yaml
from kops.api import (
    AdditionalObject,
    Cluster,
    InstanceGroup,
    ManifestError,
    dump_yaml,
    from_dict,
    load_objects,
    to_dict,
)
from kops.errors import FieldError, KopsError

CLUSTER = """\
apiVersion: kops.k8s.io/v1alpha2
kind: Cluster
metadata:
  name: foo.example.com
spec:
  kubernetesVersion: 1.32.0
  networkCIDR: 172.20.0.0/16
  subnets:
  - cidr: 172.20.32.0/19
    name: us-test-1a
    type: Public
    zone: us-test-1a
"""


def cluster_with(spec_yaml: str) -> str:
    return CLUSTER + textwrap.indent(textwrap.dedent(spec_yaml), "  ")


def load_error(text: str) -> KopsError:
    with pytest.raises(KopsError) as info:
        load_objects(text, source="in.yaml")
    message = str(info.value)
    assert "\n" not in message
    return info.value


def round_trip(text: str) -> dict:
    return yaml.safe_load(dump_yaml(load_objects(text)))


def test_values_keep_the_type_they_were_written_with():
    doc = round_trip(
        cluster_with("""\
        kubeAPIServer:
          cpuRequest: 1
          memoryRequest: 100Mi
          auditWebhookBatchThrottleQps: 0.5
          logLevel: 2
          anonymousAuth: false
        kubeControllerManager:
          horizontalPodAutoscalerSyncPeriod: 5m0s
        rollingUpdate:
          maxSurge: 1
          maxUnavailable: 25%
        cloudLabels:
          "1234": numeric-looking string key
        """)
    )
    spec = doc["spec"]
    assert spec["kubeAPIServer"] == {
        "cpuRequest": 1,
        "memoryRequest": "100Mi",
        "auditWebhookBatchThrottleQps": 0.5,
        "logLevel": 2,
        "anonymousAuth": False,
    }
    assert spec["kubeControllerManager"]["horizontalPodAutoscalerSyncPeriod"] == "5m0s"
    assert spec["rollingUpdate"] == {"maxSurge": 1, "maxUnavailable": "25%"}
    assert spec["cloudLabels"] == {"1234": "numeric-looking string key"}


def test_explicitly_empty_objects_and_lists_survive():
    doc = round_trip(
        cluster_with("""\
        api:
          dns: {}
        authorization:
          rbac: {}
        networking:
          cni: {}
        additionalSans: []
        """)
    )
    assert doc["spec"]["api"] == {"dns": {}}
    assert doc["spec"]["authorization"] == {"rbac": {}}
    assert doc["spec"]["networking"] == {"cni": {}}
    assert doc["spec"]["additionalSans"] == []


def test_list_order_is_kept_and_keys_are_sorted_on_output():
    text = cluster_with("""\
    sshAccess: [10.0.0.0/8, 0.0.0.0/0, 192.168.0.0/16]
    """)
    out = dump_yaml(load_objects(text))
    assert yaml.safe_load(out)["spec"]["sshAccess"] == ["10.0.0.0/8", "0.0.0.0/0", "192.168.0.0/16"]
    doc = yaml.safe_load(out)  # PyYAML keeps the document's key order
    assert list(doc) == ["apiVersion", "kind", "metadata", "spec"]
    assert list(doc["spec"]) == sorted(doc["spec"])
    assert list(doc["spec"]["subnets"][0]) == ["cidr", "name", "type", "zone"]


def test_unquoted_timestamp_stays_a_string():
    text = CLUSTER.replace(
        "  name: foo.example.com", "  name: foo.example.com\n  creationTimestamp: 2017-01-01T00:00:00Z"
    )
    (cluster,) = load_objects(text)
    assert cluster.metadata.creationTimestamp == "2017-01-01T00:00:00Z"
    assert yaml.safe_load(dump_yaml([cluster]))["metadata"]["creationTimestamp"] == "2017-01-01T00:00:00Z"


def test_multiline_strings_are_written_as_blocks():
    text = cluster_with("""\
    hooks:
    - name: hello.service
      manifest: |
        [Service]
        ExecStart=/bin/echo hello
    """)
    out = dump_yaml(load_objects(text))
    assert "manifest: |" in out
    assert yaml.safe_load(out)["spec"]["hooks"][0]["manifest"] == "[Service]\nExecStart=/bin/echo hello\n"


def test_unknown_field_names_the_path():
    error = load_error(CLUSTER.replace("kubernetesVersion", "kubernetesVersin"))
    assert isinstance(error, FieldError)
    assert str(error) == (
        "in.yaml: Cluster/foo.example.com: spec.kubernetesVersin: unknown field (no installed plugin provides it)"
    )
    assert error.path == "spec.kubernetesVersin"


def test_wrong_type_names_the_path_and_what_was_expected():
    error = load_error(CLUSTER.replace("cidr: 172.20.32.0/19", "cidr: 17"))
    assert str(error) == "in.yaml: Cluster/foo.example.com: spec.subnets[0].cidr: expected a string, got an integer"


@pytest.mark.parametrize(
    ("snippet", "path", "reason"),
    [
        ("iam: {legacy: 'false'}", "spec.iam.legacy", "expected a boolean"),
        ("kubelet: {maxPods: '110'}", "spec.kubelet.maxPods", "expected an integer"),
        ("kubelet: {maxPods: true}", "spec.kubelet.maxPods", "expected an integer"),
        ("kubeAPIServer: {cpuRequest: lots}", "spec.kubeAPIServer.cpuRequest", "invalid quantity"),
        (
            "kubeControllerManager: {horizontalPodAutoscalerSyncPeriod: 300}",
            "spec.kubeControllerManager.horizontalPodAutoscalerSyncPeriod",
            "expected a duration",
        ),
        ("rollingUpdate: {maxSurge: [1]}", "spec.rollingUpdate.maxSurge", "expected an integer or a string"),
        ("cloudLabels: {team: [a]}", "spec.cloudLabels[team]", "expected a string"),
        ("sshAccess: 0.0.0.0/0", "spec.sshAccess", "expected a list"),
        ("api: {loadBalancer: {class: 7}}", "spec.api.loadBalancer.class", "expected a string"),
        ("networking: {calico: {mtuu: 1}}", "spec.networking.calico.mtuu", "unknown field"),
        (
            "etcdClusters: [{name: main, manager: {env: [{value: x}]}}]",
            "spec.etcdClusters[0].manager.env[0].name",
            "required field is missing",
        ),
    ],
)
def test_field_errors(snippet, path, reason):
    error = load_error(cluster_with(snippet + "\n"))
    assert error.path == path
    assert str(error).startswith(f"in.yaml: Cluster/foo.example.com: {path}: {reason}")


def test_several_problems_are_counted_on_one_line():
    error = load_error(cluster_with("kubelet: {maxPods: x, podPidsLimit: y}\n"))
    assert str(error).endswith("(and 1 more problem)")


def test_wrong_api_version_is_an_error():
    error = load_error(CLUSTER.replace("kops.k8s.io/v1alpha2", "kops.k8s.io/v1beta9"))
    assert str(error).startswith(
        "in.yaml: Cluster/foo.example.com: apiVersion: unsupported apiVersion 'kops.k8s.io/v1beta9'"
    )


def test_missing_kind_names_the_document():
    text = CLUSTER + "---\napiVersion: kops.k8s.io/v1alpha2\nmetadata: {name: nodes}\nspec: {}\n"
    error = load_error(text)
    assert str(error) == "in.yaml: document 2: kind: required field is missing"


def test_missing_api_version():
    error = load_error(CLUSTER.replace("apiVersion: kops.k8s.io/v1alpha2\n", ""))
    assert str(error) == "in.yaml: Cluster/foo.example.com: apiVersion: required field is missing"


def test_misspelt_kops_kind_is_not_passed_through():
    error = load_error(CLUSTER.replace("kind: Cluster", "kind: Clustr"))
    assert "kind: unknown kind 'Clustr'" in str(error)


def test_non_mapping_document():
    error = load_error("- a\n- b\n")
    assert str(error) == "in.yaml: document 1: expected an object with apiVersion and kind, got a list"


def test_yaml_syntax_error_is_one_line_with_position():
    error = load_error("kind: Cluster\nmetadata: {name: [x}\n")
    assert str(error).startswith("in.yaml: line 2, column")


def test_duplicate_keys_are_rejected():
    error = load_error(CLUSTER + "  kubernetesVersion: 1.33.0\n")
    assert "duplicate key 'kubernetesVersion'" in str(error)
    assert str(error).startswith("in.yaml: line 13, column 3:")


def test_empty_documents_are_skipped_and_order_kept():
    ig = "apiVersion: kops.k8s.io/v1alpha2\nkind: InstanceGroup\nmetadata: {name: nodes}\nspec: {role: Node}\n"
    other = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: '1'}\n"
    objects = load_objects(f"---\n{CLUSTER}---\n---\n{ig}---\n{other}")
    assert [type(obj) for obj in objects] == [Cluster, InstanceGroup, AdditionalObject]
    assert [obj.name for obj in objects] == ["foo.example.com", "nodes", "x"]
    assert dump_yaml(objects).count("---\n") == 2


def test_to_dict_from_dict_round_trip():
    (cluster,) = load_objects(CLUSTER)
    tree = to_dict(cluster)
    assert tree["spec"]["subnets"][0] == {
        "cidr": "172.20.32.0/19",
        "name": "us-test-1a",
        "type": "Public",
        "zone": "us-test-1a",
    }
    assert from_dict(tree) == cluster
    with pytest.raises(ManifestError) as info:
        from_dict({**tree, "spec": {"subnets": [{"cidr": 1}]}}, source="api")
    assert str(info.value).startswith("api: Cluster/foo.example.com: spec.subnets[0].cidr: expected a string")


def test_constructors_and_deep_copy():
    cluster = Cluster.new("k8s.example.com")
    assert to_dict(cluster) == {
        "apiVersion": "kops.k8s.io/v1alpha2",
        "kind": "Cluster",
        "metadata": {"name": "k8s.example.com"},
        "spec": {},
    }
    ig = InstanceGroup.new("nodes-us-east-1a", "k8s.example.com")
    assert ig.metadata.labels == {"kops.k8s.io/cluster": "k8s.example.com"}
    assert ig.cluster_name == "k8s.example.com"

    (loaded,) = load_objects(CLUSTER)
    copy = loaded.copy()
    copy.spec.subnets[0].cidr = "10.0.0.0/24"
    assert loaded.spec.subnets[0].cidr == "172.20.32.0/19"


def test_assignment_is_validated():
    cluster = Cluster.new("k8s.example.com")
    with pytest.raises(ValueError):
        cluster.spec.kubernetesVersion = 1.32
