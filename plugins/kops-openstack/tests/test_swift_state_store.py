"""The swift:// state store against the OpenStack testbed's Swift: the shared state store suite, the write lock that
stands in for compare-and-swap, the command line with a swift:// store, and the errors a user meets (a missing
container, refused or missing credentials, an unreachable Keystone)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from importlib import metadata

import pytest
import yaml
from kops.errors import KopsError
from kops.state import open_store
from kops.state.conformance import *  # noqa: F403
from kops.testing import cli
from kops.testing.cli import one_line_error
from kops.testing.testbed import environment
from kops_openstack import api, swiftstore
from kops_openstack.swiftstore import SwiftStateStore

BASE = ("--zones", "nova", "--network-cidr", "10.0.0.0/16", "--image", "ubuntu-24.04", "--networking", "cni")


@pytest.fixture
def swift(monkeypatch) -> dict[str, str]:
    """The testbed's OS_* variables in this process (and any child), with a connection made from them."""
    env = environment("openstack")
    for name in list(os.environ):
        if name.startswith("OS_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        if name.startswith("OS_"):
            monkeypatch.setenv(name, value)
    monkeypatch.setattr(api, "_connection", None)
    return env


@pytest.fixture
def container(swift) -> str:
    return swift["KOPS_STATE_STORE"].removeprefix("swift://").split("/")[0]


@pytest.fixture
def store_url(container) -> str:
    """A fresh folder of the testbed's container for each test, emptied afterwards."""
    prefix = f"t-{uuid.uuid4().hex[:12]}"
    yield f"swift://{container}/{prefix}"
    objects = api.connection().object_store
    for item in objects.get(container, params={"format": "json", "prefix": prefix + "/"}).json():
        objects.delete(f"{container}/{item['name']}", raise_exc=False)


def _raw(container: str, name: str) -> bytes | None:
    """An object as Swift itself serves it, or None."""
    response = api.connection().object_store.get(f"{container}/{name}", raise_exc=False)
    return None if response.status_code == 404 else response.content


# --- the store ---------------------------------------------------------------------------------------------

def test_swift_scheme_comes_from_the_kops_openstack_entry_point():
    (entry,) = [ep for ep in metadata.entry_points(group="kops.state_store") if ep.name == "swift"]
    assert entry.dist.name == "kops-openstack"
    store = open_store("swift://kops-state/clusters/")
    assert isinstance(store, SwiftStateStore)
    assert (store.url, store.container, store.prefix) == ("swift://kops-state/clusters", "kops-state", "clusters")


@pytest.mark.parametrize("url", ["swift://", "swift:///x", "swift://a b", "swift://c?x=1", "swift://c#f",
                                 "swift://user@c", "swift://-dash", "swift://" + "a" * 257])
def test_bad_swift_urls_name_the_url(url):
    with pytest.raises(KopsError, match="invalid state store URL") as info:
        open_store(url)
    assert url in str(info.value) and "\n" not in str(info.value)


def test_objects_sit_at_upstream_keys_under_the_prefix(store_url, container):
    store = open_store(store_url)
    store.write("c.example.com/config", b"kind: Cluster\n")
    store.write("c.example.com/config", b"kind: Cluster # edited\n")
    prefix = store_url.removeprefix(f"swift://{container}/")
    assert _raw(container, f"{prefix}/c.example.com/config") == b"kind: Cluster # edited\n"
    assert store.list() == ["c.example.com/config"]


def test_a_store_at_the_container_root(swift, container):
    store = open_store(swift["KOPS_STATE_STORE"])
    name = f"r{uuid.uuid4().hex[:8]}.example.com"
    store.commit({f"{name}/config": b"kind: Cluster\n", f"{name}/instancegroup/nodes": b"kind: InstanceGroup\n"})
    assert _raw(container, f"{name}/config") == b"kind: Cluster\n"
    assert store.list(f"{name}/") == [f"{name}/config", f"{name}/instancegroup/nodes"]
    assert store.delete_tree(name) == 2
    assert store.list(f"{name}/") == [] and _raw(container, f"{name}/config") is None


def test_a_crashed_writers_lock_expires_by_itself(store_url, container):
    """A lock left by a writer that died is never deleted by anyone else: Swift drops it at its expiry."""
    prefix = store_url.removeprefix(f"swift://{container}/")
    left = api.connection().object_store.put(
        f"{container}/{prefix}/{swiftstore.LOCK}", data=json.dumps({"owner": "dead@host", "token": "x"}).encode(),
        headers={"If-None-Match": "*", "X-Delete-After": "3"}, raise_exc=False)
    assert left.status_code == 201
    started = time.monotonic()
    open_store(store_url).write("c/config", b"v1", expect=None)
    assert time.monotonic() - started >= 1.5
    assert open_store(store_url).read("c/config").data == b"v1"
    assert _raw(container, f"{prefix}/{swiftstore.LOCK}") is None  # released after the write


def test_a_lock_held_too_long_names_its_holder(store_url, container, monkeypatch):
    monkeypatch.setattr(swiftstore, "LOCK_SECONDS", 1)
    monkeypatch.setattr(swiftstore, "_LOCK_MARGIN", 0.5)
    prefix = store_url.removeprefix(f"swift://{container}/")
    api.connection().object_store.put(
        f"{container}/{prefix}/{swiftstore.LOCK}", data=json.dumps({"owner": "alice@laptop:42", "token": "x"}).encode(),
        headers={"X-Delete-After": "60"})
    store = open_store(store_url)
    with pytest.raises(KopsError, match=rf"^state store {store_url}: the write lock \.kops/lock has been held by "
                                        r"alice@laptop:42 for over 2s; retry") as info:
        store.write("c/config", b"x")
    assert "\n" not in str(info.value)
    assert store.read("c/config") is None  # reads take no lock


def test_overlapping_lock_takers_all_see_one_winner(store_url, container):
    """What the lock stands on, asked of Swift with openstacksdk alone: creates that overlap may both be answered
    201, but one object is left and every taker reading it back sees the same token."""
    prefix = store_url.removeprefix(f"swift://{container}/")
    name = f"{container}/{prefix}/race"
    workers = [subprocess.Popen([sys.executable, "-c", _TAKER, name], stdout=subprocess.PIPE, text=True)
               for _ in range(4)]
    seen = [json.loads(w.communicate(timeout=120)[0]) for w in workers]
    assert all(w.returncode == 0 for w in workers)
    assert len({tuple(s["seen"]) for s in seen}) == 1
    winners = {s["token"] for s in seen if s["seen"][0] == s["token"]}
    assert len(winners) <= 1


_TAKER = """
import json, sys, time, uuid
from kops_openstack.api import connection
objects, name = connection().object_store, sys.argv[1]
time.sleep(1 - time.time() % 1)  # start together, on the next second
seen = []
for round in range(5):
    token = uuid.uuid4().hex
    objects.put(f"{name}{round}", data=token.encode(), headers={"If-None-Match": "*"}, raise_exc=False)
    time.sleep(0.25)
    seen.append(objects.get(f"{name}{round}", headers={"X-Newest": "true"}).text)
    if round == 0:
        first = token
print(json.dumps({"token": first, "seen": seen}))
"""


# --- errors ------------------------------------------------------------------------------------------------

def test_a_missing_container_is_one_line_naming_it(swift):
    store = open_store("swift://no-such-kops-container/x")
    for attempt in (lambda: store.read("c/config"), lambda: store.write("c/config", b"x"), store.list,
                    lambda: store.delete("c/secrets/admin"), lambda: store.delete_tree("c")):
        with pytest.raises(KopsError, match=r"^state store swift://no-such-kops-container/x: Swift container "
                                            r"'no-such-kops-container' does not exist; create it") as info:
            attempt()
        assert "\n" not in str(info.value)


def test_refused_credentials_are_one_line_without_the_password(swift, container, monkeypatch):
    monkeypatch.setenv("OS_PASSWORD", "not-the-password")
    store = open_store(f"swift://{container}/x")
    with pytest.raises(KopsError, match=rf"^state store swift://{container}/x: OpenStack refused the credentials: "
                                        r".*HTTP 401") as info:
        store.read("c/config")
    assert "\n" not in str(info.value) and "not-the-password" not in str(info.value)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_keystone_is_named_and_given_up_on(swift, container, monkeypatch):
    monkeypatch.setattr(swiftstore, "RETRY_SECONDS", 1.5)
    endpoint = f"http://127.0.0.1:{_closed_port()}/v3"
    monkeypatch.setenv("OS_AUTH_URL", endpoint)
    store = open_store(f"swift://{container}/x")
    with pytest.raises(KopsError, match=rf"^state store swift://{container}/x: cannot reach Keystone at {endpoint}"
                                        r"/auth/tokens for 2s \(Connection refused\); check OS_AUTH_URL") as info:
        store.write("c/config", b"x")
    assert "\n" not in str(info.value)


def test_an_unreachable_swift_is_named_and_given_up_on(swift, container, monkeypatch):
    monkeypatch.setattr(swiftstore, "RETRY_SECONDS", 1.5)
    endpoint = f"http://127.0.0.1:{_closed_port()}/v1/AUTH_kops"
    monkeypatch.setenv("OS_OBJECT_STORE_ENDPOINT_OVERRIDE", endpoint)
    store = open_store(f"swift://{container}/x")
    with pytest.raises(KopsError, match=rf"^state store swift://{container}/x: cannot reach Swift at {endpoint}/"
                                        r"\S+ for 2s \(Connection refused\); check the catalog's object-store "
                                        r"endpoint") as info:
        store.list()
    assert "\n" not in str(info.value)


def test_importing_the_store_and_kops_help_import_no_openstack_library():
    probe = ("import atexit, sys\n"
             "atexit.register(lambda: sys.stderr.write('\\nloaded: ' + ' '.join(sys.modules)))\n"
             "from kops.state import open_store\n"
             "open_store('swift://a-container/x')\n"
             "sys.argv = ['kops', '--help']\n"
             "from kops.cli.main import main\n"
             "main()\n")
    started = subprocess.run([sys.executable, "-c", probe], env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"},
                             capture_output=True, text=True)
    assert started.returncode == 0, started.stderr
    loaded = set(started.stderr.rpartition("loaded: ")[2].split())
    assert "kops_openstack.swiftstore" in loaded
    assert not {name for name in loaded if name.startswith(("openstack", "keystoneauth1"))}


# --- the command line on a swift:// store ------------------------------------------------------------------

@pytest.fixture
def user(tmp_path):
    """A fresh machine with no OpenStack credentials: an empty HOME, no OS_* variables, no clouds.yaml."""
    return cli.isolated_env(tmp_path)


def test_without_credentials_kops_says_how_to_provide_them(user):
    run = cli.runner({**user, "KOPS_STATE_STORE": "swift://some-container/x"})
    error = one_line_error(run("get", "clusters"))
    assert error.startswith("Error: state store swift://some-container/x: no OpenStack credentials")
    assert "OS_AUTH_URL" in error


def test_a_cluster_created_on_a_swift_store_is_openstack_and_listed(user, store_url, swift, container):
    run = cli.runner({**user, **{k: v for k, v in swift.items() if k.startswith("OS_")}, "KOPS_STATE_STORE": ""})
    name = f"s{uuid.uuid4().hex[:8]}.example.com"
    created = run("create", "cluster", name, *BASE, "--state", store_url)
    assert created.returncode == 0, created.stderr
    listed = run("get", "clusters", "--state", store_url)
    assert listed.returncode == 0, listed.stderr
    assert name in listed.stdout
    spec = yaml.safe_load(run("get", "cluster", name, "-o", "yaml", "--state", store_url).stdout)["spec"]
    assert spec["cloudProvider"] == "openstack"  # guessed from the swift:// store
    edited = run("edit", "cluster", name, "--set", "spec.kubernetesVersion=1.30.2", "--state", store_url)
    assert edited.returncode == 0, edited.stderr
    prefix = store_url.removeprefix(f"swift://{container}/")
    names = [item["name"] for item in api.connection().object_store.get(
        container, params={"format": "json", "prefix": f"{prefix}/{name}/"}).json()]
    assert f"{prefix}/{name}/config" in names and f"{prefix}/{name}/instancegroup/nodes-nova" in names
    assert any(n.startswith(f"{prefix}/{name}/.history/config/") for n in names)  # the version the edit replaced


def test_a_missing_container_stops_kops_with_one_line(user, swift):
    run = cli.runner({**user, **{k: v for k, v in swift.items() if k.startswith("OS_")},
                      "KOPS_STATE_STORE": "swift://no-such-kops-container"})
    error = one_line_error(run("get", "clusters"))
    assert error == ("Error: state store swift://no-such-kops-container: Swift container 'no-such-kops-container' "
                     "does not exist; create it (openstack container create no-such-kops-container) or fix the "
                     "state store URL")
