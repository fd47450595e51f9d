"""Reading, writing, listing and deleting objects, the same on every backend."""

from __future__ import annotations

import pytest
from kops.errors import KopsError
from kops.state import ANY, ConflictError, open_store


def test_write_then_read_returns_the_bytes(store):
    store.write("ha.example.com/config", b"kind: Cluster\n")
    assert store.read("ha.example.com/config").data == b"kind: Cluster\n"
    assert store.read("ha.example.com/missing") is None


def test_list_is_recursive_sorted_and_hides_bookkeeping(store):
    for path in ["b.example.com/config", "a.example.com/instancegroup/nodes", "a.example.com/config",
                 "a.example.com/pki/private/ca/key"]:
        store.write(path, b"x")
    store.write("a.example.com/config", b"y")  # leaves a kept version behind
    assert store.list() == ["a.example.com/config", "a.example.com/instancegroup/nodes",
                            "a.example.com/pki/private/ca/key", "b.example.com/config"]
    assert store.list("a.example.com/instancegroup/") == ["a.example.com/instancegroup/nodes"]
    assert store.list("c.example.com/") == []


def test_delete_removes_and_tolerates_missing(store):
    store.write("c/secrets/admin", b"s")
    store.delete("c/secrets/admin")
    assert store.read("c/secrets/admin") is None
    store.delete("c/secrets/admin")  # already gone: fine
    with pytest.raises(ConflictError):
        store.delete("c/secrets/admin", expect="some-generation")


def test_generation_changes_on_every_write_even_with_same_bytes(store):
    first = store.write("c/instancegroup/a", b"same")
    second = store.write("c/instancegroup/a", b"same")
    third = store.write("c/instancegroup/a", b"other")
    assert len({first, second, third}) == 3
    assert store.read("c/instancegroup/a").generation == third


def test_conditional_write_conflicts_and_leaves_the_object_alone(store):
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


def test_stores_opened_on_the_same_url_share_objects(store_url):
    open_store(store_url).write("c/config", b"shared")
    assert open_store(store_url).read("c/config").data == b"shared"


@pytest.mark.parametrize("path", ["/abs/config", "a/../b", "a//b", "", "c/.history/x", "a\\b"])
def test_bad_paths_are_one_line_errors_naming_the_path(store, path):
    with pytest.raises(KopsError, match="invalid state store path") as info:
        store.write(path, b"x")
    assert "\n" not in str(info.value)


def test_non_bytes_are_refused(store):
    with pytest.raises(KopsError, match="c/config: the state store stores bytes, not str"):
        store.write("c/config", "text")


@pytest.mark.parametrize("url", ["no-scheme", "file://relative/path", "memfs://", "file://host/abs"])
def test_bad_urls_name_the_url(url):
    with pytest.raises(KopsError, match="invalid state store URL") as info:
        open_store(url)
    assert url in str(info.value)


def test_unknown_scheme_names_the_distribution_to_install():
    with pytest.raises(KopsError, match="pip install kops-gce"):
        open_store("gs://bucket")
