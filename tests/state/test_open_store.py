"""Choosing a backend by URL scheme."""

from __future__ import annotations

import pytest
from kops.errors import KopsError
from kops.state import open_store
from kops.state.filestore import FileStateStore
from kops.state.memfs import MemFSStateStore


def test_schemes_pick_their_backend(tmp_path):
    assert isinstance(open_store(f"file://{tmp_path}"), FileStateStore)
    assert isinstance(open_store("memfs://x"), MemFSStateStore)
    assert open_store(f"FILE://{tmp_path}/").url == f"file://{tmp_path}"


@pytest.mark.parametrize("url", ["no-scheme", "file://relative/path", "memfs://", "file://host/abs", "://x"])
def test_bad_urls_are_one_line_errors_naming_the_url(url):
    with pytest.raises(KopsError, match="invalid state store URL") as info:
        open_store(url)
    assert url in str(info.value) and "\n" not in str(info.value)


def test_unknown_scheme_names_the_distribution_to_install(monkeypatch):
    from kops import plugins

    # As on a machine with kops-core alone, whichever plugins this one has.
    monkeypatch.setattr(plugins, "_entry_points", lambda group: ())
    monkeypatch.setattr(plugins, "_is_installed", lambda dist: False)
    with pytest.raises(KopsError, match="pip install kops-digitalocean"):
        open_store("do://bucket")


def test_file_store_on_a_regular_file_is_refused(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(KopsError, match="is not a directory"):
        open_store(f"file://{tmp_path / 'f'}")
