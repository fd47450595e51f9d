"""``kops create cluster``'s spec: flags -> create-stage rules -> ``--unset``/``--set`` -> assign-stage rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kops.errors import KopsError
from kops.inference import InferenceContext, run_stage
from kops.newcluster.options import CreateClusterOptions

API_VERSION = "kops.k8s.io/v1alpha2"


@dataclass
class NewCluster:
    cluster: dict[str, Any]
    instance_groups: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)


def guess_cloud(state_url: str) -> str:
    """Upstream guesses the cloud from the state store's scheme when ``--cloud`` is absent: the installed cloud whose
    driver keeps its state in that scheme (``state_store_schemes``)."""
    from kops.plugins import driver_names, load_driver

    scheme = state_url.split("://", 1)[0] if "://" in state_url else ""
    guessed = next((name for name in driver_names("cloud")
                    if scheme and scheme in load_driver("cloud", name).state_store_schemes), None)
    if not guessed:
        raise KopsError("--cloud: required (it cannot be guessed from a state store of scheme "
                        f"{scheme or 'file'}://); pass e.g. --cloud aws")
    return guessed


def new_cluster(options: CreateClusterOptions, state_url: str = "") -> NewCluster:
    from kops.channels import load_channel
    from kops.names import validate_cluster_name
    from kops.plugins import load_driver
    from kops.setfields import apply_sets, apply_unsets

    if not options.cluster_name:
        raise KopsError("cluster name: required (give it as the argument, with --name or in KOPS_CLUSTER_NAME)")
    validate_cluster_name(options.cluster_name)
    options.cloud = (options.cloud or guess_cloud(state_url)).lower()
    cloud = load_driver("cloud", options.cloud)()
    channel = load_channel(options.channel or "stable")
    cluster: dict[str, Any] = {"apiVersion": API_VERSION, "kind": "Cluster",
                               "metadata": {"name": options.cluster_name}, "spec": {}}
    if state_url:
        cluster["spec"]["configBase"] = state_url.rstrip("/") + "/" + options.cluster_name
    ctx = InferenceContext(cluster=cluster, options=options, cloud=cloud, channel=channel)
    for zone in options.zones + options.control_plane_zones:
        cloud.region_for_zone(zone)  # a malformed zone fails here, naming it
    run_stage("create", ctx)
    apply_unsets(cluster, options.unsets, flag="--unset")
    apply_sets(cluster, options.sets, flag="--set")
    run_stage("assign", ctx)
    return NewCluster(cluster=cluster, instance_groups=ctx.instance_groups, warnings=ctx.warnings)
