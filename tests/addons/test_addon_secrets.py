"""Add-on hooks that read the cluster's stored secrets (``kops_addons(cluster, secrets)``): each implementation gets
the arguments it declares, secrets are read from the store only when asked for, and a manifest holding secret
material is a private boot file."""

from __future__ import annotations

import uuid

import pytest
import yaml
from kops import hookimpl
from kops.addons import Addon, ClusterSecrets, call_hook, collect
from kops.addons.channel import CHANNEL_PATH, boot_files, channel_files
from kops.errors import KopsError
from kops.pki.secrets import put_secret
from kops.plugins import plugin_manager
from kops.state import open_store

CLUSTER = "addons.example.com"
VALUE = b"the-stored-value"


class CountingStore:
    """A state store that counts its reads."""

    def __init__(self, store):
        self.store, self.reads = store, []

    def __getattr__(self, name):
        return getattr(self.store, name)

    def read(self, path):
        self.reads.append(path)
        return self.store.read(path)


@pytest.fixture
def store():
    found = open_store(f"memfs://secrets-{uuid.uuid4().hex}")
    put_secret(found, CLUSTER, "widgetkey", VALUE)
    return found


class WithSecrets:
    """An add-on that carries a stored secret when the store has it."""

    @hookimpl
    def kops_addons(self, cluster, secrets):
        value = secrets.require("widgetkey", "the widget", "kops create secret widgetkey")
        manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: widget\n  namespace: kube-system\n"
        if value is not None:
            manifest += f"---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: widget\n  namespace: kube-system\n" \
                        f"stringData:\n  key: {value.decode()}\n"
        return [Addon(name="widget.example.com", version="1", manifest=manifest, private=value is not None)]


class ClusterOnly:
    """An add-on hook written before hooks could read secrets."""

    @hookimpl
    def kops_addons(self, cluster):
        return [Addon(name="plain.example.com", version="1",
                      manifest="apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n")]


@pytest.fixture
def installed():
    pm = plugin_manager()
    pm.register(WithSecrets(), name="widget")
    pm.register(ClusterOnly(), name="plain")
    yield
    pm.unregister(name="widget")
    pm.unregister(name="plain")


def test_a_hook_gets_only_the_arguments_it_declares():
    seen = {}

    def cluster_only(cluster):
        seen["cluster_only"] = cluster
        return []

    def both(cluster, secrets):
        seen["both"] = (cluster, secrets)
        return []

    reader = ClusterSecrets()
    call_hook(cluster_only, "c", reader)
    call_hook(both, "c", reader)
    assert seen == {"cluster_only": "c", "both": ("c", reader)}
    call_hook(both, "c")
    assert isinstance(seen["both"][1], ClusterSecrets) and not seen["both"][1].available


def test_secrets_are_read_when_asked_for_and_once(store):
    counting = CountingStore(store)
    reader = ClusterSecrets(counting, CLUSTER)
    assert counting.reads == []
    assert reader.get("widgetkey") == VALUE
    assert reader.get("widgetkey") == VALUE
    assert reader.get("absent") is None
    assert counting.reads == [f"{CLUSTER}/secrets/widgetkey", f"{CLUSTER}/secrets/absent"]


def test_require_refuses_a_missing_secret_in_one_line_only_with_a_store(store):
    with pytest.raises(KopsError) as refused:
        ClusterSecrets(store, CLUSTER).require("absent", "the widget", "kops create secret absent -f FILE")
    message = str(refused.value)
    assert "\n" not in message
    assert message == (f"cluster {CLUSTER}: the widget needs the secret absent, which the state store does not "
                       "hold: create it with kops create secret absent -f FILE")
    assert ClusterSecrets(store, CLUSTER).require("widgetkey", "the widget") == VALUE
    assert ClusterSecrets().require("absent", "the widget") is None  # no store: nothing to refuse


def test_the_channel_stores_a_manifest_with_secret_material_privately(installed, completed, store):
    files = {f.path: f for f in boot_files(completed(), ClusterSecrets(store, CLUSTER))}
    widget = files["addons/widget.example.com/k8s-1.35.yaml"]
    assert widget.private and VALUE in widget.content
    assert not files["addons/plain.example.com/k8s-1.35.yaml"].private
    assert not files[CHANNEL_PATH].private and VALUE not in files[CHANNEL_PATH].content
    assert [f for f in files.values() if f.private] == [widget]
    assert {a["name"] for a in yaml.safe_load(files[CHANNEL_PATH].content)["spec"]["addons"]} >= {
        "widget.example.com", "plain.example.com"}


def test_without_a_store_hooks_read_no_secret(installed, completed):
    found = {a.name: a for a in collect(completed())}
    assert not found["widget.example.com"].private and "Secret" not in found["widget.example.com"].manifest
    assert not any(f.private for f in boot_files(completed()))
    assert VALUE not in b"".join(channel_files(completed()).values())
    assert found["plain.example.com"].source == "plain"
