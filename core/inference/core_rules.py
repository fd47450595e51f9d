"""The rules core ships; plugins add theirs through the ``kops_inference_rules`` hook."""

from __future__ import annotations

from kops.inference.base import Rule


def core_rules() -> list[Rule]:
    from kops.inference import (
        api_access,
        assignments,
        cluster_basics,
        control_plane,
        instance_groups,
        networking,
        nodes,
        topology,
        zones,
    )
    from kops.inference.completion import (
        addons,
        apiserver,
        basics,
        cloud_config,
        containerd,
        controller_manager,
        dns,
        etcd,
        kubelet,
        network_ranges,
        proxy,
        scheduler,
        service_accounts,
    )

    modules = (cluster_basics, networking, zones, topology, control_plane, nodes, api_access, instance_groups,
               assignments, basics, network_ranges, etcd, apiserver, containerd, dns, kubelet, controller_manager,
               scheduler, proxy, cloud_config, service_accounts, addons)
    return [value for module in modules for value in vars(module).values() if isinstance(value, Rule)]
