"""A plugin's hooks as kops registered them, for tests that call one distribution's hooks directly.

Going through the plugin manager (rather than importing the module) checks that the ``kops.plugins`` entry
point is installed; calling that one plugin's hooks, rather than the combined hook, keeps other installed
plugins' contributions from hiding or breaking what is tested.
"""

from __future__ import annotations

from typing import Any


def registered(name: str) -> Any:
    """The hooks registered under the ``kops.plugins`` entry point ``name``; a test fails if there are none."""
    from kops.plugins import plugin_manager

    module = plugin_manager().get_plugin(name)
    assert module is not None, f"the {name} entry point of kops.plugins is not registered"
    return module
