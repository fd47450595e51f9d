"""Fixtures for the fake API server's tests: the server, the official client's APIs pointed at it, a clock tests
advance by hand, and a cloud whose instances tests launch and terminate."""

from __future__ import annotations

from typing import Any

import pytest
from kops.testing.kube_api import FakeKubeAPI, Kubelets
from kubernetes import client


class Clock:
    """Monotonic seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Cloud:
    """The running instances of a cloud stand-in, as the kubelet simulation reads them."""

    def __init__(self) -> None:
        self.running: list[dict[str, Any]] = []

    def instances(self) -> list[dict[str, Any]]:
        return list(self.running)

    def launch(self, instance_id: str, group: str = "nodes-us-east-1a", role: str = "Node",
               zone: str = "us-east-1a") -> dict[str, Any]:
        instance = {"id": instance_id, "zone": zone, "instanceGroup": group, "role": role,
                    "internalIP": f"172.20.{len(self.running) // 250}.{len(self.running) % 250 + 10}"}
        self.running.append(instance)
        return instance

    def terminate(self, instance_id: str) -> None:
        self.running = [i for i in self.running if i["id"] != instance_id]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api(clock):
    """A fake server on a hand-driven clock: pods start at once and stop at once unless a test says otherwise."""
    with FakeKubeAPI(clock=clock) as server:
        yield server


@pytest.fixture
def cloud() -> Cloud:
    return Cloud()


@pytest.fixture
def kubelets(api, cloud) -> Kubelets:
    """Kubelets driven by hand (``kubelets.tick()``), registering each instance as soon as it is seen."""
    return Kubelets(api, cloud.instances)


@pytest.fixture
def core(api) -> client.CoreV1Api:
    return client.CoreV1Api(api.api_client())


@pytest.fixture
def policy(api) -> client.PolicyV1Api:
    return client.PolicyV1Api(api.api_client())


@pytest.fixture
def apps(api) -> client.AppsV1Api:
    return client.AppsV1Api(api.api_client())
