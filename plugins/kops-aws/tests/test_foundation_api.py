"""The AWS foundation: API handle (lazy clients, call counting, transient errors), tags, discovery snapshot."""

from __future__ import annotations

import subprocess
import sys

import pytest
from kops.engine import Discovery
from kops.errors import KopsError
from kops_aws import discovery
from kops_aws.awsapi import AWS_ERRORS, AWSApi
from kops_aws.tags import aws_tags, cluster_tags, from_aws, is_owned, shared_tags

CLUSTER = "foundation.example.com"


def client_error(code: str, status: int = 400) -> Exception:
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op")


def test_loading_the_plugin_does_not_import_boto3() -> None:
    code = ("import sys, kops_aws.plugin, kops_aws.cloud, kops_aws.model, kops_aws.tags; "
            "print('boto3' in sys.modules or 'botocore' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


@pytest.mark.parametrize("code, status, transient", [
    ("RequestLimitExceeded", 503, True),
    ("Throttling", 400, True),
    ("InvalidVpcID.NotFound", 400, True),
    ("InvalidSubnetID.NotFound", 400, True),
    ("DependencyViolation", 400, True),
    ("InternalError", 500, True),
    ("SomethingNew", 503, True),
    ("InvalidParameterValue", 400, False),
    ("UnauthorizedOperation", 403, False),
    ("VpcLimitExceeded", 400, False),
])
def test_transient_errors(code: str, status: int, transient: bool) -> None:
    assert AWS_ERRORS.transient(client_error(code, status)) is transient


def test_connection_errors_name_the_endpoint_and_others_are_not_retried() -> None:
    from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError
    from botocore.parsers import ResponseParserError

    assert AWS_ERRORS.unreachable(EndpointConnectionError(endpoint_url="http://x")) == "http://x"
    assert AWS_ERRORS.unreachable(ConnectTimeoutError(endpoint_url="https://ec2.us-east-1.amazonaws.com")) == \
        "https://ec2.us-east-1.amazonaws.com"
    assert AWS_ERRORS.transient(ResponseParserError("<html>500 Internal Server Error</html>"))
    assert not AWS_ERRORS.transient(ValueError("bad")) and AWS_ERRORS.unreachable(ValueError("bad")) is None


def test_credentials_missing_or_refused_say_how_to_give_them() -> None:
    from botocore.exceptions import NoCredentialsError

    assert "AWS_ACCESS_KEY_ID" in AWS_ERRORS.explain(NoCredentialsError())
    refused = AWS_ERRORS.explain(client_error("InvalidClientTokenId", 403))
    assert refused.startswith("AWS refused the credentials (InvalidClientTokenId") and "AWS_PROFILE" in refused
    assert AWS_ERRORS.explain(client_error("VpcLimitExceeded", 400)) is None


def test_clients_are_made_once_and_calls_are_counted(aws) -> None:
    api = AWSApi(aws.region)
    assert api.ec2 is api.ec2
    api.ec2.describe_vpcs()
    api.ec2.describe_vpcs()
    api.sts.get_caller_identity()
    assert api.calls == {"ec2.DescribeVpcs": 2, "sts.GetCallerIdentity": 1}


def test_tags_round_trip_and_ownership() -> None:
    tags = {**cluster_tags(CLUSTER), "Name": "x"}
    assert tags == {"KubernetesCluster": CLUSTER, f"kubernetes.io/cluster/{CLUSTER}": "owned", "Name": "x"}
    assert from_aws(aws_tags(tags)) == tags
    assert [t["Key"] for t in aws_tags(tags)] == sorted(tags)
    assert from_aws(None) == {}
    assert is_owned(tags, CLUSTER)
    assert not is_owned(shared_tags(CLUSTER), CLUSTER)
    assert not is_owned(cluster_tags("other.example.com"), CLUSTER)
    assert is_owned({"KubernetesCluster": CLUSTER}, CLUSTER)  # clusters older than the ownership tag
    assert not is_owned({}, CLUSTER)


def test_a_kind_lists_once_per_snapshot_and_afresh_in_the_next(aws) -> None:
    registry = Discovery("kops_aws.tasks")  # a registry of its own: the plugin's task modules register elsewhere
    seen = []

    @registry.register("probe")
    def probe(api: AWSApi, cluster_name: str) -> list[dict]:
        seen.append(cluster_name)
        return discovery.ec2_tagged(api, cluster_name, "describe_vpcs", "Vpcs")

    api = AWSApi(aws.region)
    tagged = api.ec2.create_vpc(CidrBlock="10.9.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": aws_tags(cluster_tags(CLUSTER))}])["Vpc"]["VpcId"]
    api.ec2.create_vpc(CidrBlock="10.8.0.0/16")
    snapshot = registry.snapshot(api, CLUSTER)
    assert [v["VpcId"] for v in snapshot.get("probe")] == [tagged]
    snapshot.get("probe")
    assert seen == [CLUSTER] and api.calls["ec2.DescribeVpcs"] == 1
    registry.snapshot(api, CLUSTER).get("probe")
    assert api.calls["ec2.DescribeVpcs"] == 2
    with pytest.raises(ValueError, match="already registered"):
        registry.register("probe", lambda api, name: [])


def test_the_hook_gives_aws_builders_sharing_the_runs_task_registry() -> None:
    import dataclasses

    from aws_model_kit import model_for
    from kops_aws import plugin
    from kops_aws.model import AWSModel

    assert plugin.kops_model_builders(cluster=None, cloud="gce") == []
    model = model_for("minimal-1.35", target="terraform")
    tasks = [t for b in plugin.kops_model_builders(cluster=model.cluster, cloud="aws") for t in b.build(model)]
    vpc = next(t for t in tasks if t.type_name == "VPC")
    masters = next(t for t in tasks if t.type_name == "SecurityGroup" and t.name == "masters.minimal.example.com")
    assert masters.vpc is vpc  # the firewall builder found the network builder's task
    assert model.find("SecurityGroup", "masters.minimal.example.com") is masters  # any plugin's builders find it
    fresh_run = dataclasses.replace(model, _tasks={})
    with pytest.raises(KopsError, match="no model builder has made SecurityGroup/nodes.minimal.example.com yet"):
        AWSModel(fresh_run).security_group("Node")
