"""What only the file:// store promises: the upstream layout on disk, owner-only secrets, no torn files."""

from __future__ import annotations

import stat

from kops.state import layout, open_store


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_objects_are_plain_files_in_the_upstream_layout(tmp_path):
    store = open_store(f"file://{tmp_path}")
    store.write("ha.example.com/config", b"kind: Cluster\n")
    store.write("ha.example.com/instancegroup/nodes", b"kind: InstanceGroup\n")
    assert (tmp_path / "ha.example.com" / "config").read_bytes() == b"kind: Cluster\n"
    assert (tmp_path / "ha.example.com" / "instancegroup" / "nodes").read_bytes() == b"kind: InstanceGroup\n"
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(".tmp-")]


def test_private_objects_are_owner_only(tmp_path):
    store = open_store(f"file://{tmp_path}")
    store.write("c/pki/private/ca/keyset.yaml", b"key", private=True)
    store.write("c/pki/issued/ca/keyset.yaml", b"cert")
    assert mode(tmp_path / "c/pki/private/ca/keyset.yaml") == 0o600
    assert mode(tmp_path / "c/pki/issued/ca/keyset.yaml") == 0o644
    store.write("c/pki/private/ca/keyset.yaml", b"key 2", private=True)
    assert mode(tmp_path / "c/pki/private/ca/keyset.yaml") == 0o600


def test_commit_keeps_private_objects_and_its_journal_owner_only(tmp_path):
    store = open_store(f"file://{tmp_path}")
    real_put = store._put
    journal_modes = []

    def put(key, data, expect, private):
        gen = real_put(key, data, expect, private)
        if key == layout.JOURNAL:
            journal_modes.append(mode(tmp_path / layout.JOURNAL))
        return gen

    store._put = put
    store.commit({"c/secrets/admin": b"token", "c/config": b"cluster"}, private={"c/secrets/admin"})
    assert mode(tmp_path / "c/secrets/admin") == 0o600
    assert mode(tmp_path / "c/config") == 0o644
    assert journal_modes and set(journal_modes) == {0o600}


def test_reading_a_missing_store_creates_nothing(tmp_path):
    store = open_store(f"file://{tmp_path / 'nowhere'}")
    assert store.read("c/config") is None
    assert store.list() == []
    assert not (tmp_path / "nowhere").exists()

def test_the_same_bytes_written_as_a_secret_are_made_owner_only(tmp_path):
    store = open_store(f"file://{tmp_path}")
    gen = store.write("c/secrets/admin", b"token")
    assert store.write("c/secrets/admin", b"token", private=True) != gen
    assert mode(tmp_path / "c/secrets/admin") == 0o600
    store.commit({"c/config": b"cluster"})
    store.commit({"c/config": b"cluster"}, private={"c/config"})
    assert mode(tmp_path / "c/config") == 0o600


def test_a_commit_of_many_files_is_flushed_once_not_per_file(tmp_path, monkeypatch):
    import os

    store = open_store(f"file://{tmp_path}")
    flushes = []
    monkeypatch.setattr(os, "fsync", lambda fd: flushes.append("fsync"))
    monkeypatch.setattr(os, "sync", lambda: flushes.append("sync"))
    files = {f"c/igconfig/node/group-{n}/nodeupconfig.yaml": f"group {n}".encode() for n in range(50)}
    store.commit(files)
    assert all((tmp_path / path).read_bytes() == data for path, data in files.items())
    # The journal's own writes and removal (an fsync each, and of its folder), then the batch's two flushes.
    assert flushes.count("sync") == 2 and flushes.count("fsync") <= 8, flushes
    flushes.clear()
    store.commit(files)
    assert flushes == []  # nothing changed: nothing written
