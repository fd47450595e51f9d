"""kindnet networking for kops (``--networking kindnet``).

kindnet routes each node's pod range to the node over the underlying network (no overlay), masquerades
traffic leaving the cluster's ranges and enforces network policies. The plugin writes
``spec.networking.kindnet`` at creation, completes it with upstream kOps's defaults, validates it and
renders the ``networking.kindnet`` add-on. It needs no firewall rules: pods talk with their own addresses
over the same paths the instances already use.
"""
