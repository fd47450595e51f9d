"""The node bundle: what the user data installs from the state store, every file checked, and that it runs on a
Python with nothing but the standard library (no site-packages: no pydantic, cryptography or C extensions)."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .test_nodeup_run import CP, _files

#: The interpreter under the test environment, run with -S: the standard library and nothing installed.
BARE_PYTHON = sys._base_executable


def _user_data(lab, cluster: str, group: str) -> str:
    suffix = ".masters" if group == CP else ""
    return (lab.tmp / "tf" / cluster / "data" / f"aws_launch_template_{group}{suffix}.{cluster}_user_data").read_text()


def _boot(user_data: str) -> tuple[str, list[str]]:
    """The boot program and its arguments (bundle manifest URL, its sha256) as the user data runs them."""
    program = user_data.split("<<'KOPS_BOOT_PROGRAM'\n", 1)[1].split("\nKOPS_BOOT_PROGRAM\n", 1)[0]
    values = dict(re.findall(r"^(KOPS_BUNDLE\w*)=(.*)$", user_data, re.MULTILINE))
    return program, [values["KOPS_BUNDLE"], values["KOPS_BUNDLE_SHA256"]]


def _install(program: str, args: list[str], prefix: Path) -> subprocess.CompletedProcess:
    return subprocess.run([BARE_PYTHON, "-S", "-", *args, str(prefix)], input=program, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture(scope="module")
def installed(lab, cluster, tmp_path_factory) -> Path:
    prefix = tmp_path_factory.mktemp("opt-kops")
    done = _install(*_boot(_user_data(lab, cluster, CP)), prefix)
    assert done.returncode == 0, done.stderr
    return prefix


def test_user_data_pins_the_bundle_and_fits_aws_limit(lab, cluster):
    for group in (CP, "nodes-us-east-1a"):
        user_data = _user_data(lab, cluster, group)
        assert len(user_data.encode()) < 16384  # what EC2 accepts
        _, (manifest_url, digest) = _boot(user_data)
        manifest = Path(manifest_url.removeprefix("file://"))
        assert manifest.parent.parent == lab.store / cluster / "nodeup" / "bundle"
        assert hashlib.sha256(manifest.read_bytes()).hexdigest() == digest
        assert f"\nNODEUP_CONFIG={lab.config_path(cluster, group).as_uri()}\n" in user_data
        assert '\nexec /opt/kops/bin/kops nodeup --config "$NODEUP_CONFIG"' in user_data


def test_the_bundle_runs_nodeup_with_the_standard_library_alone(lab, cluster, installed, tmp_path):
    """The control plane's nodeup from the installed bundle, on a bare Python, writes what the installed kops
    writes: the same files, with the same modes."""
    command = installed / "bin" / "kops"
    assert command.read_text().startswith("#!")
    url = lab.config_path(cluster, CP).as_uri()
    bare = subprocess.run([BARE_PYTHON, "-S", str(command), "nodeup", "--config", url, "--root", str(tmp_path / "b"),
                           "--arch", "amd64"], env=lab.env, capture_output=True, text=True, timeout=300)
    assert bare.returncode == 0, bare.stderr
    full = lab.nodeup(cluster, CP, tmp_path / "f")
    assert full.code == 0, full.err
    ours, theirs = _files(tmp_path / "b"), _files(tmp_path / "f")
    assert set(ours) == set(theirs)
    assert {p: f.stat().st_mode for p, f in ours.items()} == {p: f.stat().st_mode for p, f in theirs.items()}
    version = subprocess.run([BARE_PYTHON, "-S", str(command), "version"], capture_output=True, text=True,
                             env=lab.env, timeout=60)
    assert version.returncode == 0 and "0.0.0+unknown" not in version.stdout, version.stderr
    modules = subprocess.run(
        [BARE_PYTHON, "-S", "-c", f"import sys; sys.path.insert(0, {str(installed / 'lib')!r}); "
         "import kops.nodeup.run, kops.controller.server, kops_aws.cloud, kops_aws.nodeidentity, "
         "kops_aws.s3store; print(sorted(m for m in sys.modules if m.split('.')[0] in "
         "('pydantic', 'cryptography', 'boto3', 'botocore', 'jinja2', '_yaml')))"],
        capture_output=True, text=True, timeout=60)
    assert modules.stdout.strip() == "[]", modules.stderr


def test_a_tampered_bundle_is_refused_and_nothing_installed(lab, cluster, tmp_path):
    program, (manifest_url, digest) = _boot(_user_data(lab, cluster, CP))
    archive = Path(manifest_url.removeprefix("file://")).with_name("files.json")
    original = archive.read_bytes()
    files = json.loads(original)
    files["files"]["kops/nodeup/run.py"] += "\nprint('injected')\n"
    archive.write_text(json.dumps(files))
    try:
        done = _install(program, [manifest_url, digest], tmp_path / "prefix")
    finally:
        archive.write_bytes(original)
    assert done.returncode == 1
    assert f"kops bootstrap: {archive.as_uri()}: sha256 mismatch: expected " in done.stderr
    assert not (tmp_path / "prefix").exists()
    other = _install(program, [manifest_url, "0" * 64], tmp_path / "prefix")
    assert other.returncode == 1 and "sha256 mismatch: expected 0000" in other.stderr
    assert not (tmp_path / "prefix").exists()


def test_a_changed_file_makes_a_new_bundle_though_the_last_one_is_kept(tmp_path, monkeypatch):
    from kops.nodeup import bundle

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = tmp_path / "pkg" / "extra.py"
    source.parent.mkdir()
    source.write_text("A = 1\n")
    listed = bundle._package_paths
    monkeypatch.setattr(bundle, "_package_paths",
                        lambda package: {**listed(package), **({"kops/extra.py": source} if package == "kops" else {})})
    build = bundle._build.__wrapped__  # not the per-process memo: each call is a new run of kops
    first = build("kops-aws", "kops_aws")
    assert json.loads(first.archive)["files"]["kops/extra.py"] == "A = 1\n"
    assert build("kops-aws", "kops_aws") == first
    source.write_text("A = 22\n")  # what an editor or pip does: new bytes, new time
    second = build("kops-aws", "kops_aws")
    assert json.loads(second.archive)["files"]["kops/extra.py"] == "A = 22\n"
    assert second.digest != first.digest
    assert json.loads(second.manifest)["files"]["kops/extra.py"] == hashlib.sha256(b"A = 22\n").hexdigest()
    # A kept bundle damaged on disk is built again, never handed to machines.
    for kept in (tmp_path / "cache" / "kops" / "node-bundle").glob("*.archive"):
        kept.write_bytes(b'{"files": {}}')
    assert build("kops-aws", "kops_aws") == second
