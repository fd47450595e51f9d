"""The behaviour every state store backend must show, as pytest tests any backend's test suite can run.

A backend's test module provides a ``store_url`` fixture (a fresh, empty store per test) and imports this
module's tests with ``from kops.state.conformance import *``. The tests only use the public interface, so
passing them means the backend gives kops the guarantees it relies on: conditional writes that never lose
an update (between threads and between processes), all-or-nothing commits that survive a crash, kept
versions and exclusive leases.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from typing import Any

import pytest
from kops.errors import KopsError
from kops.state import ANY, ConflictError, LeaseHeld, LeaseLost, StateStore, open_store
from kops.state import base as _base
from kops.state import layout as _layout


@pytest.fixture
def store(store_url: str) -> StateStore:
    return open_store(store_url)


def increment(store: StateStore, path: str, times: int) -> None:
    """Add one to the decimal counter at ``path``, ``times`` times, re-reading whenever another writer wins."""
    for _ in range(times):
        while True:
            obj = store.read(path)
            value = int(obj.data) if obj else 0
            try:
                store.write(path, str(value + 1).encode(), expect=obj.generation if obj else None)
                break
            except ConflictError:
                continue


def increment_both(store: StateStore, first: str, second: str, times: int) -> None:
    """Add one to two counters in one commit each time, guarded on the first counter's generation."""
    for _ in range(times):
        while True:
            a, b = store.read(first), store.read(second)
            na, nb = int(a.data) if a else 0, int(b.data) if b else 0
            try:
                store.commit({first: str(na + 1).encode(), second: str(nb + 1).encode()},
                             expect={first: a.generation if a else None, second: b.generation if b else None})
                break
            except ConflictError:
                continue


# --- objects ---------------------------------------------------------------------------------------------

def test_write_then_read_returns_the_bytes(store: StateStore) -> None:
    store.write("ha.example.com/config", b"kind: Cluster\n")
    assert store.read("ha.example.com/config").data == b"kind: Cluster\n"
    assert store.read("ha.example.com/missing") is None


def test_list_is_recursive_sorted_and_hides_bookkeeping(store: StateStore) -> None:
    for path in ["b.example.com/config", "a.example.com/instancegroup/nodes", "a.example.com/config",
                 "a.example.com/pki/private/ca/key"]:
        store.write(path, b"x")
    store.write("a.example.com/config", b"y")  # leaves a kept version behind
    with store.lease("a.example.com/update", "alice", 60):
        assert store.list() == ["a.example.com/config", "a.example.com/instancegroup/nodes",
                                "a.example.com/pki/private/ca/key", "b.example.com/config"]
    assert store.list("a.example.com/instancegroup/") == ["a.example.com/instancegroup/nodes"]
    assert store.list("c.example.com/") == []


def test_delete_removes_and_tolerates_missing(store: StateStore) -> None:
    store.write("c/secrets/admin", b"s")
    store.delete("c/secrets/admin")
    assert store.read("c/secrets/admin") is None
    store.delete("c/secrets/admin")  # already gone: fine
    with pytest.raises(ConflictError):
        store.delete("c/secrets/admin", expect="some-generation")


def test_conditional_delete(store: StateStore) -> None:
    gen = store.write("c/secrets/admin", b"s")
    store.write("c/secrets/admin", b"t")
    with pytest.raises(ConflictError):
        store.delete("c/secrets/admin", expect=gen)
    assert store.read("c/secrets/admin").data == b"t"
    store.delete("c/secrets/admin", expect=store.read("c/secrets/admin").generation)
    assert store.read("c/secrets/admin") is None


def test_delete_tree_removes_a_cluster_and_nothing_else(store: StateStore) -> None:
    for path in ["c/config", "c/instancegroup/a", "c/pki/ca", "cc/config"]:
        store.write(path, b"x")
    store.write("c/config", b"y")
    assert store.delete_tree("c") == 4  # three objects and one kept version
    assert store.list() == ["cc/config"]


def test_generation_changes_on_every_write(store: StateStore) -> None:
    first = store.write("c/instancegroup/a", b"one")
    second = store.write("c/instancegroup/a", b"two")
    third = store.write("c/instancegroup/a", b"three")
    assert len({first, second, third}) == 3
    assert store.read("c/instancegroup/a").generation == third


def test_writing_the_same_bytes_again_changes_nothing(store: StateStore) -> None:
    gen = store.write("c/config", b"v1")
    assert store.write("c/config", b"v1") == gen
    assert store.write("c/config", b"v1", expect=gen) == gen
    assert store.read("c/config").generation == gen and store.history("c/config") == []
    with pytest.raises(ConflictError):  # an expectation is still checked
        store.write("c/config", b"v1", expect=None)


def test_a_commit_writes_only_what_changed(store: StateStore) -> None:
    gens = store.commit({"c/config": b"v1", "c/instancegroup/a": b"a1", "c/pki/ca": b"ca"}, private={"c/pki/ca"})
    again = store.commit({"c/config": b"v1", "c/instancegroup/a": b"a1", "c/pki/ca": b"ca", "c/gone": None},
                         private={"c/pki/ca"})
    assert again == gens and store.history("c/config") == []
    changed = store.commit({"c/config": b"v1", "c/instancegroup/a": b"a2"})
    assert changed["c/config"] == gens["c/config"] and changed["c/instancegroup/a"] != gens["c/instancegroup/a"]
    assert [store.read_version("c/instancegroup/a", v.id) for v in store.history("c/instancegroup/a")] == [b"a1"]
    assert store.history("c/config") == []


def test_conditional_write_conflicts_and_leaves_the_object_alone(store: StateStore) -> None:
    gen = store.write("c/config", b"v1", expect=None)
    with pytest.raises(ConflictError, match=r"c/config .*another writer.*retry"):
        store.write("c/config", b"again", expect=None)
    newer = store.write("c/config", b"v2", expect=gen)
    with pytest.raises(ConflictError):
        store.write("c/config", b"stale", expect=gen)
    assert store.read("c/config").data == b"v2"
    assert store.read("c/config").generation == newer
    store.write("c/config", b"v3", expect=ANY)
    assert store.read("c/config").data == b"v3"


def test_expecting_a_missing_object_is_a_conflict(store: StateStore) -> None:
    with pytest.raises(ConflictError, match="no longer exists"):
        store.write("c/pki/ca", b"x", expect="some-generation")
    assert store.read("c/pki/ca") is None


def test_stores_opened_on_the_same_url_share_objects(store_url: str) -> None:
    open_store(store_url).write("c/config", b"shared")
    assert open_store(store_url).read("c/config").data == b"shared"


@pytest.mark.parametrize("path", ["/abs/config", "a/../b", "a//b", "", "c/.history/x", "a\\b"])
def test_bad_paths_are_one_line_errors_naming_the_path(store: StateStore, path: str) -> None:
    with pytest.raises(KopsError, match="invalid state store path") as info:
        store.write(path, b"x")
    assert repr(path) in str(info.value) and "\n" not in str(info.value)


def test_non_bytes_are_refused(store: StateStore) -> None:
    with pytest.raises(KopsError, match="c/config: the state store stores bytes, not str"):
        store.write("c/config", "text")


# --- concurrency -----------------------------------------------------------------------------------------

def test_threads_racing_read_modify_write_lose_no_update(store_url: str) -> None:
    threads = [threading.Thread(target=increment, args=(open_store(store_url), "race/counter", 15))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert open_store(store_url).read("race/counter").data == b"60"


_WORKER = """
import sys
from kops.state import open_store
from kops.state.conformance import increment, increment_both
store = open_store(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
if sys.argv[2] == "write":
    increment(store, "race/counter", int(sys.argv[3]))
else:
    increment_both(store, "race/a", "race/b", int(sys.argv[3]))
"""


def _race_processes(store_url: str, how: str, processes: int, times: int) -> None:
    if store_url.startswith("memfs://"):
        pytest.skip("memfs:// lives inside one process")
    workers = [subprocess.Popen([sys.executable, "-c", _WORKER, store_url, how, str(times)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
               for _ in range(processes)]
    for w in workers:  # start them together, once all have paid for their imports
        assert w.stdout is not None and w.stdout.readline() == "ready\n"
    for w in workers:
        assert w.stdin is not None
        w.stdin.write("go\n")
        w.stdin.flush()
    for w in workers:
        assert w.wait(timeout=300) == 0


def test_processes_racing_read_modify_write_lose_no_update(store_url: str) -> None:
    _race_processes(store_url, "write", processes=3, times=15)
    assert open_store(store_url).read("race/counter").data == b"45"


def test_processes_racing_commits_keep_objects_in_step(store_url: str) -> None:
    _race_processes(store_url, "commit", processes=3, times=8)
    store = open_store(store_url)
    assert (store.read("race/a").data, store.read("race/b").data) == (b"24", b"24")


def test_threads_racing_commits_keep_objects_in_step(store_url: str) -> None:
    threads = [threading.Thread(target=increment_both, args=(open_store(store_url), "race/a", "race/b", 8))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store = open_store(store_url)
    assert (store.read("race/a").data, store.read("race/b").data) == (b"24", b"24")


# --- commits ---------------------------------------------------------------------------------------------

def test_commit_writes_and_deletes_together(store: StateStore) -> None:
    store.write("c/pki/old", b"old")
    gens = store.commit({"c/config": b"cluster", "c/instancegroup/nodes": b"ig", "c/pki/old": None})
    assert set(gens) == {"c/config", "c/instancegroup/nodes"}
    assert store.read("c/config").generation == gens["c/config"]
    assert store.read("c/instancegroup/nodes").data == b"ig"
    assert store.read("c/pki/old") is None
    assert store.list() == ["c/config", "c/instancegroup/nodes"]


def test_commit_conflict_leaves_every_object_unchanged(store: StateStore) -> None:
    gen_config = store.write("c/config", b"config v1")
    gen_ig = store.write("c/instancegroup/nodes", b"ig v1")
    store.write("c/pki/ca", b"ca")
    store.write("c/instancegroup/nodes", b"ig v2")  # someone else's edit: gen_ig is now stale
    before = {path: store.read(path) for path in store.list()}
    with pytest.raises(ConflictError, match="c/instancegroup/nodes"):
        store.commit({"c/config": b"config v2", "c/instancegroup/nodes": b"ig v3", "c/pki/ca": None,
                      "c/instancegroup/new": b"new"},
                     expect={"c/config": gen_config, "c/instancegroup/nodes": gen_ig})
    assert {path: store.read(path) for path in store.list()} == before
    assert store.history("c/config") == []


def test_commit_can_guard_on_objects_it_does_not_write(store: StateStore) -> None:
    gen = store.write("c/config", b"v1")
    store.write("c/config", b"v2")
    with pytest.raises(ConflictError, match="c/config"):
        store.commit({"c/instancegroup/nodes": b"ig"}, expect={"c/config": gen})
    assert store.read("c/instancegroup/nodes") is None
    store.commit({"c/instancegroup/nodes": b"ig"}, expect={"c/config": store.read("c/config").generation,
                                                           "c/instancegroup/nodes": None})
    assert store.read("c/instancegroup/nodes").data == b"ig"


def _crash_on(store: StateStore, crash_key: str) -> None:
    """Make ``store`` fail like a killed process when it gets to writing ``crash_key``."""
    real_put = store._put

    def put(key: str, data: bytes, expect: Any, private: bool) -> str:
        if key == crash_key:
            raise SystemExit("killed")
        return real_put(key, data, expect, private)

    real_batch = store._put_batch

    def put_batch(puts: list[tuple[str, bytes, Any, bool]]) -> dict[str, str | None]:
        keys = [p[0] for p in puts]
        if crash_key in keys:  # what came before it in the batch landed
            real_batch(puts[:keys.index(crash_key)])
            raise SystemExit("killed")
        return real_batch(puts)

    store._put = put
    store._put_batch = put_batch


def test_crash_between_journal_and_apply_is_rolled_forward_by_the_next_reader(store_url: str) -> None:
    crashing = open_store(store_url)
    crashing.write("c/config", b"config v1")
    crashing.write("c/instancegroup/nodes", b"ig v1")
    _crash_on(crashing, "c/instancegroup/nodes")
    with pytest.raises(SystemExit):
        crashing.commit({"c/config": b"config v2", "c/instancegroup/nodes": b"ig v2", "c/pki/ca": b"ca"},
                        private={"c/pki/ca"})
    # Half applied and a journal left behind, as a crash would leave it ...
    raw = open_store(store_url)
    assert raw._get("c/config").data == b"config v2"
    assert raw._get("c/instancegroup/nodes").data == b"ig v1"
    assert raw._get(_layout.JOURNAL) is not None
    # ... until the next reader, who finishes the job before answering.
    reader = open_store(store_url)
    assert reader.read("c/instancegroup/nodes").data == b"ig v2"
    assert reader.read("c/pki/ca").data == b"ca"
    assert reader.read("c/config").data == b"config v2"
    assert raw._get(_layout.JOURNAL) is None
    assert [reader.read_version("c/config", v.id) for v in reader.history("c/config")] == [b"config v1"]


def test_crash_before_the_commit_is_decided_changes_nothing(store_url: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_base, "PENDING_TIMEOUT", 0.5)
    crashing = open_store(store_url)
    crashing.write("c/config", b"config v1")
    real_put = crashing._put

    def put(key: str, data: bytes, expect: Any, private: bool) -> str:
        if key == _layout.JOURNAL and expect is not None:  # the rewrite that would mark it committed
            raise SystemExit("killed")
        return real_put(key, data, expect, private)

    crashing._put = put
    with pytest.raises(SystemExit):
        crashing.commit({"c/config": b"config v2", "c/instancegroup/nodes": b"ig"})
    other = open_store(store_url)
    assert other.read("c/config").data == b"config v1"
    assert other.read("c/instancegroup/nodes") is None
    other.commit({"c/instancegroup/nodes": b"ig v1"})  # the abandoned claim does not block later commits
    assert other.read("c/instancegroup/nodes").data == b"ig v1"
    assert other.read("c/config").data == b"config v1"


def test_private_commit_paths_must_be_written(store: StateStore) -> None:
    with pytest.raises(KopsError, match="c/pki/ca"):
        store.commit({"c/config": b"x"}, private={"c/pki/ca"})


# --- kept versions ---------------------------------------------------------------------------------------

def test_history_keeps_earlier_versions_newest_first(store: StateStore) -> None:
    for text in (b"v1", b"version 2", b"v3"):
        store.write("c/config", text)
    versions = store.history("c/config")
    assert [v.size for v in versions] == [9, 2]
    assert [store.read_version("c/config", v.id) for v in versions] == [b"version 2", b"v1"]
    assert versions[0].time >= versions[1].time
    store.delete("c/config")
    assert store.read_version("c/config", store.history("c/config")[0].id) == b"v3"


def test_history_of_instance_groups_and_commits(store: StateStore) -> None:
    store.write("c/instancegroup/nodes", b"min: 1")
    store.commit({"c/instancegroup/nodes": b"min: 2"})
    store.commit({"c/instancegroup/nodes": b"min: 3"})
    assert [store.read_version("c/instancegroup/nodes", v.id)
            for v in store.history("c/instancegroup/nodes")] == [b"min: 2", b"min: 1"]


def test_history_is_bounded(store: StateStore) -> None:
    for i in range(_layout.HISTORY_LIMIT + 3):
        store.write("c/config", str(i).encode())
    versions = store.history("c/config")
    assert len(versions) == _layout.HISTORY_LIMIT
    assert store.read_version("c/config", versions[-1].id) == b"2"  # the oldest three were dropped


def test_unknown_version_and_untracked_path_are_errors(store: StateStore) -> None:
    store.write("c/config", b"v1")
    with pytest.raises(KopsError, match="c/config .*no version 'nope'"):
        store.read_version("c/config", "nope")
    with pytest.raises(KopsError, match="c/pki/ca: earlier versions are kept only for"):
        store.history("c/pki/ca")


# --- leases ----------------------------------------------------------------------------------------------

def test_lease_excludes_others_until_released(store: StateStore) -> None:
    with store.lease("c/update", "alice@laptop", 60) as held:
        assert held.owner == "alice@laptop"
        with pytest.raises(LeaseHeld, match=r"'c/update' .*held by alice@laptop until \d{4}-") as info:
            with store.lease("c/update", "bob@ci", 60):
                pass
        assert info.value.owner == "alice@laptop"
        with pytest.raises(LeaseHeld):
            with store.lease("c/update", "alice@laptop", 60):  # same owner twice: still exclusive
                pass
    with store.lease("c/update", "bob@ci", 60) as held:
        assert held.owner == "bob@ci"


def test_expired_lease_is_taken_over_and_the_old_holder_cannot_renew(store: StateStore) -> None:
    with store.lease("c/update", "alice", 0.3) as alice:
        time.sleep(0.5)
        with store.lease("c/update", "bob", 60):
            with pytest.raises(LeaseLost, match="taken over"):
                alice.renew(60)
            alice.release()  # must not free bob's lease
            with pytest.raises(LeaseHeld, match="bob"):
                with store.lease("c/update", "carol", 60):
                    pass


def test_renewed_lease_outlives_its_first_ttl(store: StateStore) -> None:
    with store.lease("c/update", "alice", 0.5) as alice:
        alice.renew(60)
        time.sleep(0.7)
        with pytest.raises(LeaseHeld, match="alice"):
            with store.lease("c/update", "bob", 60):
                pass


def test_only_one_of_many_racing_lease_takers_wins(store_url: str) -> None:
    winners: list[str] = []
    gate = threading.Barrier(5)

    def take(owner: str) -> None:
        store = open_store(store_url)
        gate.wait()
        try:
            store._acquire("c/update", owner, 60)
            winners.append(owner)
        except LeaseHeld:
            pass

    threads = [threading.Thread(target=take, args=(f"owner-{i}",)) for i in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1


__all__ = ["store", *(name for name in dir() if name.startswith("test_"))]
