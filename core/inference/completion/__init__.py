"""The complete stage: rules that fill in every component's configuration (upstream's PopulateClusterSpec).

One module per concern (``apiserver``, ``kubelet``, ``etcd``...); :mod:`.facts` holds what several
rules read from the spec, and :func:`complete_cluster` runs the stages over a copy of a cluster.
"""

from kops.inference.completion.cluster import complete_cluster

__all__ = ["complete_cluster"]
