"""Terraform for whole clusters, against what upstream wrote for the same cases.

Every resource of the types this part of the model writes must be upstream's, attribute for attribute,
except where the difference is by design: images come from an ``aws_ami`` data source (upstream asks
EC2 while writing), the queue policy's account comes from ``aws_caller_identity``, and instance-store
devices are not listed (that needs EC2's instance type catalogue). Hardened defaults differ too, and are
checked on their own: etcd volumes are encrypted, load balancers balance across zones, and the queue is
encrypted with SQS-managed keys (none of these cases turns them off explicitly).
"""

from __future__ import annotations

import base64
import collections
import re

import pytest
from upstream_cases import case_dir, model_for, resources, terraform_files

TYPES = {
    "aws_iam_role", "aws_iam_role_policy", "aws_iam_instance_profile", "aws_iam_role_policy_attachment",
    "aws_key_pair", "aws_launch_template", "aws_autoscaling_group", "aws_autoscaling_lifecycle_hook", "aws_lb",
    "aws_lb_target_group", "aws_lb_listener", "aws_ebs_volume", "aws_sqs_queue", "aws_cloudwatch_event_rule",
    "aws_cloudwatch_event_target",
}
# Cases without service-account roles (not built here) or upstream test-only settings (a feature flag,
# GPU detection from EC2's catalogue).
CASES = [
    "minimal-1.35", "complex", "privatecalico", "privatecilium-eni", "minimal-dns-none", "minimal-warmpool",
    "mixed_instances", "mixed_instances_spot", "externalpolicies", "existing_sg", "minimal-ipv6-calico",
    "nth-imds-processor", "minimal-etcd", "ha", "shared_vpc", "unmanaged", "private-shared-ip",
]


def normalized(type_: str, attrs: dict) -> dict:
    attrs = dict(attrs)
    if type_ == "aws_launch_template":
        attrs.pop("image_id")
        devices = [dict(d) for d in attrs.get("block_device_mappings", []) if "virtual_name" not in d]
        devices[0].pop("device_name")
        for device in devices:  # upstream writes delete_on_termination = true whatever the spec says
            device["ebs"] = [{**e, "delete_on_termination": True} for e in device["ebs"]]
        attrs["block_device_mappings"] = devices
    if type_ == "aws_sqs_queue":
        attrs.pop("policy")
    return attrs


#: The hardened defaults by resource type: the attribute and the value ours must have.
HARDENED = {"aws_ebs_volume": ("encrypted", True), "aws_lb": ("enable_cross_zone_load_balancing", True),
            "aws_sqs_queue": ("sqs_managed_sse_enabled", True)}


def without_hardening(type_: str, ours: dict, theirs: dict) -> tuple[dict, dict]:
    """Both sides without the hardened attribute, after checking ours has its hardened value."""
    if type_ not in HARDENED:
        return ours, theirs
    field, value = HARDENED[type_]
    assert ours.get(field) == value, (type_, field)
    return ({k: v for k, v in ours.items() if k != field}, {k: v for k, v in theirs.items() if k != field})


def _squeeze_target_groups(text: str) -> str:
    """Upstream's Terraform with load balancers' and target groups' two hyphens in a row squeezed into one, as kops
    names them (``tcp-minimal-ipv6-example--bne5ih``: such names never hold two; see kops_aws.naming.name32)."""
    text = re.sub(r'(aws_lb_target_group[". ]+)([a-z0-9-]+)', lambda m: m.group(1) + re.sub("-{2,}", "-", m.group(2)),
                  text)
    return re.sub(r'"([a-z0-9]+(?:-[a-z0-9]+)*)--([a-z0-9]{6})"', r'"\1-\2"', text)


@pytest.mark.parametrize("case", CASES)
def test_resources_are_upstreams(case: str) -> None:
    model = model_for(case, target="terraform", state_url="memfs://tests", dns_zone="Z1AFAKE1ZON3YO")
    files = terraform_files(model)
    ours = {k: v for k, v in resources(files["kubernetes.tf"].decode()).items() if k[0] in TYPES}
    upstream = _squeeze_target_groups((case_dir(case) / "kubernetes.tf").read_text())
    theirs = {k: v for k, v in resources(upstream).items() if k[0] in TYPES}
    assert sorted(ours) == sorted(theirs)
    for key, attrs in ours.items():
        mine, upstream = without_hardening(key[0], attrs, theirs[key])
        assert normalized(key[0], mine) == normalized(key[0], upstream), key


def test_resource_counts_match_upstream_across_cases() -> None:
    pattern = re.compile(r'^resource\s+"([a-z0-9_]+)"', re.M)
    for case in CASES:
        model = model_for(case, target="terraform", state_url="memfs://tests")
        ours = collections.Counter(t for t in pattern.findall(terraform_files(model)["kubernetes.tf"].decode())
                                   if t in TYPES)
        theirs = collections.Counter(t for t in pattern.findall((case_dir(case) / "kubernetes.tf").read_text())
                                     if t in TYPES)
        assert ours == theirs, case


def test_launch_templates_boot_with_the_models_user_data_and_find_their_image() -> None:
    model = model_for("minimal-1.35", target="terraform")
    files = terraform_files(model)
    text = files["kubernetes.tf"].decode()
    template = resources(text)["aws_launch_template", "nodes-minimal-example-com"]
    assert template["user_data"] == (
        '${filebase64("${path.module}/data/aws_launch_template_nodes.minimal.example.com_user_data")}')
    assert files["data/aws_launch_template_nodes.minimal.example.com_user_data"].decode() == model.user_data["nodes"]
    assert template["metadata_options"][0]["http_tokens"] == '"required"'
    assert template["block_device_mappings"][0]["ebs"][0]["encrypted"] is True
    image = "data.aws_ami.ubuntu--images--hvm-ssd-gp3--ubuntu-resolute-26-04-amd64-server-20220404"
    assert template["image_id"] == "${" + image + ".id}"
    assert template["block_device_mappings"][0]["device_name"] == "${" + image + ".root_device_name}"
    assert 'owners      = ["099720109477"]' in text  # upstream's "ubuntu" owner alias
    # user data goes through filebase64, so the file holds the script itself, not base64 of it
    assert not files["data/aws_launch_template_nodes.minimal.example.com_user_data"].startswith(
        base64.b64encode(b"#!"))


def test_no_ssh_key_when_the_spec_says_none() -> None:
    model = model_for("minimal-1.35", target="terraform")
    model.cluster.spec.sshKeyName = ""
    text = terraform_files(model)["kubernetes.tf"].decode()
    assert "aws_key_pair" not in text and "key_name" not in text
    model.cluster.spec.sshKeyName = "my-existing-key"
    template = resources(terraform_files(model)["kubernetes.tf"].decode())["aws_launch_template",
                                                                             "nodes-minimal-example-com"]
    assert template["key_name"] == '"my-existing-key"'
