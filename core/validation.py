"""Validation of a cluster spec: the API's built-in checks plus every plugin's ``kops_validate`` hook."""

from __future__ import annotations

from typing import Any

from kops.errors import FieldError, KopsError


def problems(cluster: Any, groups: list[Any]) -> list[FieldError]:
    from kops import plugins
    from kops.api.validation import validate

    found = list(validate(cluster, groups))
    found += cloud_problems(cluster, groups)
    found += [e for e in plugins.collect(plugins.hook().kops_validate(cluster=cluster, instance_groups=groups))
              if isinstance(e, FieldError)]
    return found


def cloud_problems(cluster: Any, groups: list[Any]) -> list[FieldError]:
    """What the cluster's cloud would refuse: the user's labels (``spec.cloudLabels`` of the cluster and of each
    group, which a group's resources carry together; ownership tags first, see :mod:`kops.ownership`), zones of
    more than one region, machine types that are not the cloud's type names."""
    from kops import plugins
    from kops.api.errors import ManifestError

    cloud_name = cluster.spec.cloudProvider
    if not cloud_name:
        return []
    try:
        cloud = plugins.load_driver("cloud", cloud_name)()
    except KopsError:
        return []  # an unknown cloud is reported where the cloud is used
    document = f"Cluster/{cluster.metadata.name}"
    errors: list[FieldError] = []
    cluster_labels = dict(cluster.spec.cloudLabels or {})
    found = cloud.label_problems(cluster_labels)
    errors += [ManifestError(_label_path(key), reason, document=document) for key, reason in found]
    whole_reported = any(not key for key, _ in found)
    for group in groups:
        own = dict(group.spec.cloudLabels or {})
        if own:
            errors += [ManifestError(_label_path(key), reason, document=f"InstanceGroup/{group.metadata.name}")
                       for key, reason in cloud.label_problems({**cluster_labels, **own})
                       if (key in own if key else not whole_reported)]
    errors += _shared_subnet_problems(cluster, cloud, document)
    errors += _region_problems(cluster, cloud, document)
    if not cloud.supports_prefix_lists:
        from kops.api.validation import ACCESS_FIELDS, PREFIX_LIST

        errors += [ManifestError(f"spec.{field}[{i}]", f"{value!r}: {cloud.name} has no managed prefix lists; give "
                                                       "a CIDR", document=document)
                   for field in ACCESS_FIELDS for i, value in enumerate(getattr(cluster.spec, field) or [])
                   if PREFIX_LIST.match(value)]
    for group in groups:
        spec = group.spec
        named = [("spec.machineType", t) for t in (spec.machineType or "").split(",") if spec.machineType]
        policy = spec.mixedInstancesPolicy
        named += [(f"spec.mixedInstancesPolicy.instances[{i}]", t)
                  for i, t in enumerate((policy.instances if policy is not None else None) or [])]
        for path, machine_type in named:
            reason = cloud.machine_type_problem(machine_type.strip())
            if reason:
                errors.append(ManifestError(path, reason, document=f"InstanceGroup/{group.metadata.name}"))
    return errors


def _label_path(key: str) -> str:
    return f"spec.cloudLabels[{key}]" if key else "spec.cloudLabels"


def _shared_subnet_problems(cluster: Any, cloud: Any, document: str) -> list[FieldError]:
    """A subnet given by ``id`` may leave its zone (or region) to the cloud only where the cloud's driver reads it
    (:attr:`kops.cloud.CloudProvider.reads_shared_networks`); and one subnet at least must say where the cluster
    is, since the cloud is asked in that region (as upstream, which finds the region from the zones given)."""
    from kops.api.errors import ManifestError

    subnets = cluster.spec.subnets or []
    field = "region" if cloud.regional_subnets else "zone"
    unplaced = [i for i, s in enumerate(subnets) if s.id and not (s.zone or s.region)]
    if not unplaced:
        return []
    if not cloud.reads_shared_networks:
        return [ManifestError(f"spec.subnets[{i}].{field}", f"required: kops cannot look up the {field} of a "
                                                            f"shared subnet on {cloud.name} yet", document=document)
                for i in unplaced]
    if len(unplaced) == len(subnets):
        return [ManifestError(f"spec.subnets[0].{field}", f"required in one subnet at least: the {field}s of "
                                                          f"shared subnets are looked up in the cluster's region, "
                                                          f"which only a {field} given tells", document=document)]
    return []


def _region_problems(cluster: Any, cloud: Any, document: str) -> list[FieldError]:
    """A cluster lives in one region: every subnet's zone must be in the first one's region. (Clouds whose subnets
    are regional check their regions themselves.)"""
    from kops.api.errors import ManifestError

    first: tuple[str, str] | None = None
    errors: list[FieldError] = []
    for i, subnet in enumerate(cluster.spec.subnets or []):
        if not subnet.zone or cloud.regional_subnets:
            continue
        path = f"spec.subnets[{i}].zone"
        try:
            region = cloud.region_for_zone(subnet.zone)
        except KopsError as exc:
            errors.append(ManifestError(path, str(exc), document=document))
            continue
        if first is None:
            first = (path, region)
        elif region != first[1]:
            errors.append(ManifestError(path, f"{subnet.zone} is in region {region}, but {first[0]} is in "
                                              f"{first[1]}: a cluster's zones are in one region", document=document))
    return errors


def check(cluster: Any, groups: list[Any]) -> None:
    """Raise one error naming the first problem (and how many more there are)."""
    found = problems(cluster, groups)
    if found:
        more = f" (and {len(found) - 1} more problem{'s' if len(found) > 2 else ''})" if len(found) > 1 else ""
        raise KopsError(f"{found[0]}{more}")
