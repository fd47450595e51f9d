"""Flannel networking for kops (``--networking flannel``, ``flannel-vxlan``, ``flannel-udp``), as upstream
kOps configures it. :mod:`.plugin` holds the hooks and imports the rest only when a hook is called."""

#: The Flannel release the add-on runs.
FLANNEL_IMAGE = "ghcr.io/flannel-io/flannel:v0.28.9"
#: The flannel CNI binary installed on every machine, released separately from flanneld.
FLANNEL_CNI_PLUGIN_IMAGE = "ghcr.io/flannel-io/flannel-cni-plugin:v1.9.1-flannel3"
#: The add-on's name in the bootstrap channel, as upstream names it, and its version (flanneld's).
ADDON_NAME = "networking.flannel"
ADDON_VERSION = "v0.28.9"
#: The backends flanneld is offered in, and the UDP port each tunnels over.
BACKEND_PORTS = {"vxlan": 8472, "udp": 8285}
