"""A cluster's running instances on the AWS emulator, as :class:`kops.testing.kube_api.Kubelets` reads them: each
instance the cluster's Auto Scaling groups launched registers a Node with the fake Kubernetes API, and its Node goes
when it is terminated, so day-2 commands run end to end on the emulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kops.model import API_SERVER, BASTION, CONTROL_PLANE, NODE

from kops_aws.instancegroups import ROLE_TAG_PREFIX
from kops_aws.tags import TAG_CLUSTER_NAME, TAG_INSTANCE_GROUP

#: The role of an instance from its role tag (``k8s.io/role/node``).
_ROLES = {"control-plane": CONTROL_PLANE, "master": CONTROL_PLANE, "apiserver": API_SERVER, "node": NODE,
          "bastion": BASTION}


def instances(cluster_name: str, ec2: Any) -> Callable[[], list[dict[str, Any]]]:
    """A callable listing the cluster's pending and running instances through the boto3 EC2 client ``ec2``."""

    def listed() -> list[dict[str, Any]]:
        found = []
        pages = ec2.get_paginator("describe_instances").paginate(Filters=[
            {"Name": f"tag:{TAG_CLUSTER_NAME}", "Values": [cluster_name]},
            {"Name": "instance-state-name", "Values": ["pending", "running"]}])
        for page in pages:
            for reservation in page["Reservations"]:
                for machine in reservation["Instances"]:
                    tags = {t["Key"]: t["Value"] for t in machine.get("Tags", [])}
                    roles = [_ROLES[k.removeprefix(ROLE_TAG_PREFIX)] for k in tags
                             if k.startswith(ROLE_TAG_PREFIX) and k.removeprefix(ROLE_TAG_PREFIX) in _ROLES]
                    found.append({"id": machine["InstanceId"], "zone": machine["Placement"]["AvailabilityZone"],
                                  "instanceGroup": tags.get(TAG_INSTANCE_GROUP, ""), "role": roles[0] if roles else NODE,
                                  "internalIP": machine.get("PrivateIpAddress", ""),
                                  "machineType": machine.get("InstanceType", "")})
        return found

    return listed
