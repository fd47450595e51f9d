"""A third-party cloud for kops, the worked example of README's "Adding a cloud": the ``example`` cloud, whose API
is a small JSON-over-HTTP service (:mod:`kops_example_cloud.testing.server`, run by the testbed).

What the plugin writes, module by module:

- :mod:`~kops_example_cloud.cloud`: the driver (zones, machine types, the image, etcd's volumes, and the entry
  points of the engine's side and the running cluster's side);
- :mod:`~kops_example_cloud.api`: the API client, and how its errors read (:class:`kops.engine.CloudErrors`);
- :mod:`~kops_example_cloud.tasks`: one task per resource type, each registering its lister and deletions with
  :data:`~kops_example_cloud.discovery.DISCOVERY`;
- :mod:`~kops_example_cloud.model`: the builders that turn a completed cluster into those tasks;
- :mod:`~kops_example_cloud.cloudgroups`: a running cluster's pools and instances (``kops get instances``);
- :mod:`~kops_example_cloud.testing`: the stand-in (``python -m kops.testing.testbed example``).

This module holds the hooks; it is loaded on every CLI start, so it imports nothing until a hook is called.
"""

from __future__ import annotations

from typing import Any

from kops import hookimpl


@hookimpl
def kops_model_builders(cluster: Any, cloud: str) -> list[Any]:
    if cloud != "example":
        return []
    from kops_example_cloud.model import BUILDERS

    return list(BUILDERS)
