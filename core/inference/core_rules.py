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

    modules = (cluster_basics, networking, zones, topology, control_plane, nodes, api_access, instance_groups,
               assignments)
    return [value for module in modules for value in vars(module).values() if isinstance(value, Rule)]
