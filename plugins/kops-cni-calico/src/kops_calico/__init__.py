"""Calico networking for kops (``--networking calico``), as upstream kOps configures it.

The package is split by what kops asks of a networking plugin: :mod:`.provider` (what ``kops create
cluster`` writes), :mod:`.rules` (inference), :mod:`.validation`, :mod:`.manifest` (the add-on) and
:mod:`.firewall`. :mod:`.plugin` holds the hooks and imports the rest only when a hook is called.
"""

#: The Calico release whose images the add-on runs unless ``spec.networking.calico.version`` says otherwise.
CALICO_VERSION = "v3.31.6"
#: Where the images come from unless ``spec.networking.calico.registry`` says otherwise.
CALICO_REGISTRY = "docker.io"
#: The add-on's name in the bootstrap channel, as upstream names it.
ADDON_NAME = "networking.projectcalico.org"
