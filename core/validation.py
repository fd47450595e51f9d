"""Validation of a cluster spec: the API's built-in checks plus every plugin's ``kops_validate`` hook."""

from __future__ import annotations

from typing import Any

from kops.errors import FieldError, KopsError


def problems(cluster: Any, groups: list[Any]) -> list[FieldError]:
    from kops import plugins
    from kops.api.validation import validate

    found = list(validate(cluster, groups))
    found += label_problems(cluster, groups)
    found += [e for e in plugins.collect(plugins.hook().kops_validate(cluster=cluster, instance_groups=groups))
              if isinstance(e, FieldError)]
    return found


def label_problems(cluster: Any, groups: list[Any]) -> list[FieldError]:
    """What the cluster's cloud would refuse in the user's labels (``spec.cloudLabels`` of the cluster and of each
    group, which a group's resources carry together), ownership tags first: see :mod:`kops.ownership`."""
    from kops import plugins
    from kops.api.errors import ManifestError

    cloud_name = cluster.spec.cloudProvider
    if not cloud_name:
        return []
    try:
        cloud = plugins.load_driver("cloud", cloud_name)()
    except KopsError:
        return []  # an unknown cloud is reported where the cloud is used
    errors: list[FieldError] = []

    def report(found: list[tuple[str, str]], document: str, only: dict[str, str] | None = None) -> None:
        for key, reason in found:
            if only is None or (key in only if key else not whole_reported):
                path = f"spec.cloudLabels[{key}]" if key else "spec.cloudLabels"
                errors.append(ManifestError(path, reason, document=document))

    cluster_labels = dict(cluster.spec.cloudLabels or {})
    found = cloud.label_problems(cluster_labels)
    whole_reported = any(not key for key, _ in found)
    report(found, f"Cluster/{cluster.metadata.name}")
    for group in groups:
        own = dict(group.spec.cloudLabels or {})
        if own:
            report(cloud.label_problems({**cluster_labels, **own}), f"InstanceGroup/{group.metadata.name}", own)
    return errors


def check(cluster: Any, groups: list[Any]) -> None:
    """Raise one error naming the first problem (and how many more there are)."""
    found = problems(cluster, groups)
    if found:
        more = f" (and {len(found) - 1} more problem{'s' if len(found) > 2 else ''})" if len(found) > 1 else ""
        raise KopsError(f"{found[0]}{more}")
