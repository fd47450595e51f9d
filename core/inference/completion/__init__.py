"""The complete stage: rules that fill in every component's configuration (upstream's PopulateClusterSpec).

One module per concern (``apiserver``, ``kubelet``, ``etcd``...); :mod:`.facts` holds what several
rules read from the spec, and :func:`complete_cluster` runs the stages over a copy of a cluster;
:func:`complete_instance_groups` fills in what stored instance groups may leave out.
"""

from kops.inference.completion.cluster import complete_cluster
from kops.inference.completion.instance_groups import complete_instance_groups

__all__ = ["complete_cluster", "complete_instance_groups"]
