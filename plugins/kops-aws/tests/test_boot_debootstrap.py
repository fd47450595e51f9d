"""The user data boots a fresh Debian 12 (``debootstrap``: python3, openssl, curl and ca-certificates standing in
for the image) with no network but the state store, the asset mirror and the node credential service on
loopback: it installs kops from the store, runs nodeup to the end, and writes what ``kops nodeup --root`` writes.

The instance metadata is stood in for by the variables the user data honours: the instance role's session
(``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``), ``AWS_REGION``, ``AWS_ENDPOINT_URL``
and ``KOPS_BOOTSTRAP_SERVER``. Runs when ``KOPS_TESTBEDS`` names ``debootstrap`` (the root takes a minute or
two to build, once per test run).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from kops.testing.debootstrap import ROOT_VARIABLE, USER_DATA, Machine
from kops.testing.mirror import Mirror, default_versions, stand_ins
from kops.testing.testbed import environment
from node_kit import Service, create_cluster, role_session

WORKERS, CONTROL_PLANE = "nodes-us-east-1a", "control-plane-us-east-1a"
#: What a machine's boot leaves besides nodeup's files: the installed bundle, and stevedore's entry-point cache.
NOT_NODEUPS = ("/opt/kops/", "/root/.cache/", USER_DATA)


def _files(root: Path) -> dict[str, Path]:
    return {"/" + str(p.relative_to(root)): p for p in root.rglob("*") if p.is_file()}


def _on(image: Path, path: str) -> str:
    """``path`` on a machine booted from ``image``, its symbolic links followed."""
    return "/" + os.path.relpath(os.path.realpath(image / path.lstrip("/")), image)


def _is_credential(path: str, data: bytes) -> bool:
    """Files holding what nodeup makes afresh on every run: keys, and certificates issued for them."""
    issued = path.endswith(".crt") and "ca" not in Path(path).stem.split("-")
    return issued or b"PRIVATE KEY" in data or b"client-key-data" in data


def test_user_data_boots_fresh_debian_machines_with_the_state_store_alone(moto_server, tmp_path_factory):
    image = Path(environment("debootstrap")[ROOT_VARIABLE])
    tmp = tmp_path_factory.mktemp("boot")
    joined = create_cluster(moto_server, tmp / "home")
    version = yaml.safe_load(joined.kops("get", "cluster", joined.name, "-o", "yaml").stdout)["spec"][
        "kubernetesVersion"]
    (tmp / "mirror").mkdir()
    mirror = Mirror(tmp / "mirror")
    (tmp / "hashes.yaml").write_text(yaml.safe_dump(stand_ins(mirror.folder, default_versions(version))))
    joined.env["KOPS_ASSET_HASHES"] = str(tmp / "hashes.yaml")
    joined.kops("edit", "cluster", joined.name, "--set", f"spec.assets.fileRepository={mirror.url}")
    joined.update()
    service = Service(joined)
    ports = [urlsplit(moto_server.endpoint_url).port, mirror.port, urlsplit(joined.service_url).port]
    try:
        for group, role in ((WORKERS, f"nodes.{joined.name}"), (CONTROL_PLANE, f"masters.{joined.name}")):
            instance = joined.instances[group]
            session = role_session(moto_server, role, instance)
            machine = Machine(image, tmp / group)
            try:
                booted = machine.run(joined.user_data(group), {
                    **session, "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": moto_server.endpoint_url,
                    "KOPS_BOOTSTRAP_SERVER": joined.service_url}, ports)
                written = {p: f for p, f in machine.written().items() if not p.startswith(NOT_NODEUPS)}
                assert booted.returncode == 0, booted.stdout + booted.stderr
                assert "kops bootstrap: installed /opt/kops/bin/kops" in booted.stderr
                assert f"nodeup: wrote {len(written)} files under /" in booted.stdout
                assert (machine.root / "opt/kops/lib/.bundle-sha256").read_text().strip() in joined.user_data(group)
                # No network but loopback: the machine cannot reach Debian's mirror it was built from.
                offline = machine.run("exec python3 -c \"import socket; socket.create_connection(('deb.debian.org', "
                                      "80), timeout=5)\"\n", {}, ports)
                assert offline.returncode != 0
            finally:
                machine.close()
            reference = tmp / f"{group}-reference"
            joined.kops("nodeup", "--config", joined.config_url(group), "--root", str(reference),
                        "--bootstrap-server", joined.service_url, env=session)
            # Where each file lands on the machine, whose /lib is /usr/lib (Debian's merged /usr).
            expected = {_on(image, p): f for p, f in _files(reference).items()}
            assert set(written) == set(expected), (set(written) ^ set(expected))
            for path, made in written.items():
                assert stat.S_IMODE(made.stat().st_mode) == stat.S_IMODE(expected[path].stat().st_mode), path
                data = made.read_bytes()
                if _is_credential(path, data):
                    assert _is_credential(path, expected[path].read_bytes()), path
                else:
                    assert data == expected[path].read_bytes(), path
            if group == WORKERS:
                assert f"--hostname-override={instance}" in written["/etc/sysconfig/kubelet"].read_text()
                assert joined.logged(f"for node {instance} (instance {instance}, instance group {WORKERS})")
            else:
                assert _on(image, "/lib/systemd/system/kops-controller.service") in written
    finally:
        service.stop()
        mirror.stop()
