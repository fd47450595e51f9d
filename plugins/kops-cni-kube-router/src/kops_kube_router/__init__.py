"""kube-router networking for kops (``--networking kube-router``), as upstream kOps configures it.

:mod:`.plugin` holds the hooks and imports the rest only when a hook is called.
"""

#: The kube-router release the add-on runs.
KUBE_ROUTER_VERSION = "v2.11.1"
KUBE_ROUTER_IMAGE = f"docker.io/cloudnativelabs/kube-router:{KUBE_ROUTER_VERSION}"
#: The add-on's name in the bootstrap channel, as upstream names it.
ADDON_NAME = "networking.kuberouter"
#: The service range upstream assigns an IPv4 cluster that names none.
DEFAULT_SERVICE_CLUSTER_IP_RANGE = "100.64.0.0/13"
