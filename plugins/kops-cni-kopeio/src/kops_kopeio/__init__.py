"""kopeio networking for kops (``--networking kopeio``, also spelt ``kopeio-vxlan``).

The kopeio networking agent gives each node's pod range a VXLAN tunnel to every other node. The plugin
writes the (field-less) ``spec.networking.kopeio`` section at creation, refuses it on IPv6-only clusters,
renders the ``networking.kope.io`` add-on and opens the VXLAN port between instances. Core's completion
already leaves cloud routes off for it, as upstream does; kopeio has no settings to default.
"""
