"""Canal networking for kops (``--networking canal``): Flannel carries pod traffic, Calico enforces policy.

:mod:`.plugin` holds the hooks and imports the rest only when a hook is called.
"""

#: The Calico release whose node, CNI, kube-controllers and Typha images Canal runs.
CALICO_VERSION = "v3.31.6"
#: The Flannel release whose flanneld Canal runs.
FLANNEL_IMAGE = "ghcr.io/flannel-io/flannel:v0.28.9"
#: The add-on's name in the bootstrap channel, as upstream named it.
ADDON_NAME = "networking.projectcalico.org.canal"
#: Flannel's VXLAN port, the only tunnel Canal uses.
VXLAN_PORT = 8472
#: Where Felix reaches Typha when Typha runs.
TYPHA_PORT = 5473
