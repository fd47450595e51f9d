"""Optional add-ons upstream kOps installs when the cluster spec enables them.

Each add-on is a module with ``NAME`` (its bootstrap-channel name), ``enabled(cluster)``, ``addon(cluster)``
and, where the spec can be wrong in ways the API's types cannot catch, ``validate(cluster)``.
:mod:`kops_addons.plugin` lists them and calls them only through the hooks, so a cluster that enables
none of them costs nothing beyond importing the hook module.
"""
