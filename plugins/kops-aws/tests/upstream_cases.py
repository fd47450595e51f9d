"""Upstream kOps's update-cluster fixtures as model inputs: a completed cluster, its groups, boot facts.

Each case folder holds upstream's input manifest (``in-v1alpha2.yaml``), the admin SSH key and what
upstream wrote for it (``kubernetes.tf`` and ``data/``). :func:`model_for` completes the manifest the way
``kops update cluster`` does and returns the :class:`kops.model.ModelContext` the AWS builders take.
Upstream's made-up region ``us-test-1`` can be swapped for a real one, which the emulator requires.
"""

from __future__ import annotations

from pathlib import Path

from kops.testing import upstream


def case_dir(case: str) -> Path:
    """The case's folder; where the fixtures are missing (``KOPS_FIXTURES``), the calling test is skipped."""
    return upstream.require() / "update_cluster" / case


def model_for(case: str, *, state_url: str = "s3://kops-state/clusters", region: str | None = None,
              target: str = "dryrun", dns_zone: str | None = None, edits: dict[str, str] | None = None):
    """The ModelContext of one upstream case; ``region`` replaces ``us-test-1`` everywhere in the input, and
    each key of ``edits`` its value."""
    from kops import api, plugins
    from kops.bootstrap import user_data
    from kops.channels import load_channel
    from kops.inference.completion import complete_cluster
    from kops.model import ModelContext
    from kops.registry import ssh_fingerprint

    text = (case_dir(case) / "in-v1alpha2.yaml").read_text()
    if region:
        text = text.replace("us-test-1", region)
    for old, new in (edits or {}).items():
        text = text.replace(old, new)
    objects = api.load_objects(text, source=case)
    cluster = next(o for o in objects if o.kind == "Cluster")
    groups = sorted((o for o in objects if o.kind == "InstanceGroup"), key=lambda g: g.metadata.name)
    name = cluster.metadata.name
    cluster.spec.configBase = f"{state_url}/{name}"
    cloud = plugins.load_driver("cloud", "aws")()
    channel = load_channel(cluster.spec.channel or "stable")
    tree = complete_cluster(api.to_dict(cluster), [api.to_dict(g) for g in groups], cloud, channel, [])
    completed = api.from_dict(tree, source=f"{case} (completed)")
    if dns_zone:
        completed.spec.dnsZone = dns_zone
    keys = {}
    key_file = case_dir(case) / "id_rsa.pub"
    if key_file.exists():
        key = key_file.read_text().strip()
        keys[ssh_fingerprint(key)] = key
    model = ModelContext(cluster_name=name, cluster=completed, instance_groups=groups, cloud=cloud,
                         state_url=state_url, target=target, ssh_public_keys=keys)
    model.bootstrap_files = boot_files(api.dump_yaml(completed), groups)
    model.user_data = {g.metadata.name: user_data(model, g) for g in groups}
    return model


def boot_files(completed_yaml: str, groups) -> list:
    """Files like those ``kops update cluster`` stores for nodes: the completed spec, the kops version and a
    nodeup configuration per group (made here, offline, rather than read from a state store)."""
    from kops.bootstrap import nodeup_config_path
    from kops.model import BootstrapFile

    files = [BootstrapFile("cluster-completed.spec", completed_yaml.encode()),
             BootstrapFile("kops-version.txt", b"1.35.0")]
    files += [BootstrapFile(nodeup_config_path(g), f"instanceGroup: {g.metadata.name}\n".encode()) for g in groups]
    return files


def seed_images(ec2, model) -> dict[str, str]:
    """Register, in the emulator's account, an image named like each instance group's image, and point the
    groups at it (``self/<name>``): the emulator has none of upstream's made-up images. Name -> AMI ID."""
    registered: dict[str, str] = {}
    for group in model.instance_groups:
        name = group.spec.image
        if name not in registered:
            registered[name] = ec2.register_image(Name=name, RootDeviceName="/dev/xvda")["ImageId"]
        group.spec.image = f"self/{name}"
    return registered


def run_context(model):
    """A fresh engine context for one plan or apply (each run lists the cloud anew)."""
    return model.cloud.engine_context(model)


def terraform_files(model) -> dict[str, bytes]:
    """The Terraform configuration the AWS builders write for ``model`` (no cloud call is made)."""
    from kops.engine.targets.terraform import TerraformTarget
    from kops_aws.model import build_all

    return TerraformTarget(None, model.cloud.terraform_writer(model)).run(model.cloud.engine_context(model),
                                                                          build_all(model))


def resources(text: str) -> dict[tuple[str, str], dict]:
    """``{(type, name): attributes}`` of a Terraform file, as python-hcl2 parses it."""
    import hcl2

    out = {}
    for entry in hcl2.loads(text).get("resource", []):
        for type_, named in entry.items():
            for name, attrs in named.items():
                out[type_.strip('"'), name.strip('"')] = attrs
    return out


def fresh_account(server):
    """Empty the emulator and give it what a user has before ``kops update cluster``: the state store's bucket
    (``kops-state``) and a public DNS zone for ``example.com``. Returns a boto3 session."""
    import boto3
    from kops_aws.testing import moto_gaps

    moto_gaps.fill()  # the emulator keeps subnet attributes it would otherwise drop
    _fill_autoscaling_gap()
    server.reset()
    session = boto3.session.Session()
    session.client("s3").create_bucket(Bucket="kops-state")
    session.client("route53").create_hosted_zone(Name="example.com", CallerReference="kops-tests")
    return session


def _fill_autoscaling_gap() -> None:
    """Teach the emulator ``DisableMetricsCollection``, which it lacks (AWS stops collecting the metrics
    named, or all of them). It changes moto's own classes in this process, where the emulator runs."""
    from moto.autoscaling.responses import AutoScalingResponse
    from moto.core.responses import EmptyResult

    if hasattr(AutoScalingResponse, "disable_metrics_collection"):
        return

    def disable_metrics_collection(self):
        group = self.autoscaling_backend.describe_auto_scaling_groups([self._get_param("AutoScalingGroupName")])[0]
        named = self._get_param("Metrics")
        group.metrics = [m for m in group.metrics if named and m not in named]
        return EmptyResult()

    AutoScalingResponse.disable_metrics_collection = disable_metrics_collection
