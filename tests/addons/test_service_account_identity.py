"""An add-on's declared service accounts and the cloud identity the channel gives their workloads: only the
Deployments and DaemonSets of that add-on that run as a declared account (in its namespace) change, by the
identity the ``kops_service_account_identity`` hook returns; a pod's own ``fsGroup`` is kept."""

from __future__ import annotations

import yaml
from kops.addons import Addon, PodIdentity, ServiceAccount
from kops.addons.channel import finish

MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: controller, namespace: kube-system}
spec:
  selector: {matchLabels: {app: controller}}
  template:
    metadata: {labels: {app: controller}}
    spec:
      serviceAccountName: controller
      containers:
      - {name: main, image: example/controller, env: [{name: LOG, value: info}]}
      - {name: sidecar, image: example/sidecar}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      serviceAccountName: agent
      securityContext: {fsGroup: 1000}
      containers: [{name: agent, image: example/agent}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: elsewhere, namespace: other}
spec:
  selector: {matchLabels: {app: elsewhere}}
  template:
    metadata: {labels: {app: elsewhere}}
    spec:
      serviceAccountName: controller
      containers: [{name: main, image: example/controller}]
"""

IDENTITY = PodIdentity(env=[{"name": "CLOUD_ROLE", "value": "role-for-it"}],
                       volumes=[{"name": "token", "projected": {"sources": []}}],
                       volume_mounts=[{"name": "token", "mountPath": "/var/run/token", "readOnly": True}], fs_group=4242)


def pods(manifest: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d["spec"]["template"]["spec"] for d in yaml.safe_load_all(manifest) if d}


def test_workloads_running_as_a_declared_account_get_its_identity() -> None:
    asked = []

    def identity(account: ServiceAccount) -> PodIdentity | None:
        asked.append(account.key)
        return IDENTITY if account.name == "controller" else None

    addon = Addon("example.addons.k8s.io", "1.0.0", MANIFEST, service_accounts=[
        ServiceAccount("kube-system", "controller", {"aws": "example"}), ServiceAccount("kube-system", "agent")])
    found = pods(finish(addon, identity=identity))
    controller = found["controller"]
    for container in controller["containers"]:
        assert container["env"][-1] == {"name": "CLOUD_ROLE", "value": "role-for-it"}
        assert container["volumeMounts"] == [{"name": "token", "mountPath": "/var/run/token", "readOnly": True}]
    assert controller["containers"][0]["env"][0] == {"name": "LOG", "value": "info"}
    assert controller["volumes"] == [{"name": "token", "projected": {"sources": []}}]
    assert controller["securityContext"] == {"fsGroup": 4242}
    # The agent's account has no identity; the other namespace's account of the same name was not declared.
    assert "env" not in found["agent"]["containers"][0] and found["agent"]["securityContext"] == {"fsGroup": 1000}
    assert "env" not in found["elsewhere"]["containers"][0]
    assert sorted(asked) == [("kube-system", "agent"), ("kube-system", "controller")]


def test_a_pods_own_fs_group_is_kept() -> None:
    addon = Addon("example.addons.k8s.io", "1.0.0", MANIFEST,
                  service_accounts=[ServiceAccount("kube-system", "agent", {"aws": "example"})])
    agent = pods(finish(addon, identity=lambda account: IDENTITY))["agent"]
    assert agent["securityContext"] == {"fsGroup": 1000}
    assert agent["containers"][0]["env"] == [{"name": "CLOUD_ROLE", "value": "role-for-it"}]


def test_without_declared_accounts_nothing_is_asked() -> None:
    def identity(account: ServiceAccount) -> PodIdentity:
        raise AssertionError("no account was declared")

    assert finish(Addon("example.addons.k8s.io", "1.0.0", MANIFEST), identity=identity) == \
        finish(Addon("example.addons.k8s.io", "1.0.0", MANIFEST))


def test_dns_controller_declares_its_account(completed) -> None:
    from kops.addons import dns_controller

    (account,) = dns_controller.addon(completed()).service_accounts
    assert account.key == ("kube-system", "dns-controller") and account.permissions_on("aws") == "dns-controller"
