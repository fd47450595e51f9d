"""Cilium networking for kops.

``--networking cilium`` (kops's default), ``cilium-etcd`` (Cilium keeps its state in a dedicated etcd
cluster on the control plane) and ``cilium-eni`` (pods get AWS ENI addresses). The plugin writes the
``spec.networking.cilium`` section at creation, completes it with upstream kOps's defaults, validates it,
renders the ``networking.cilium.io`` add-on and names the traffic Cilium needs between instances.
"""
