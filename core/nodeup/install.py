"""Installing the node bundle on a booting machine: the program the user data runs with the image's ``python3``.

It uses the standard library only and nothing from kops (kops is what it installs): the user data embeds this
module's source after the state store's reader (a ``read(url) -> bytes`` function, from
:meth:`kops.state.StateStore.boot_reader`), then calls :func:`install`. Nothing is trusted that the user data
does not pin: the manifest must have the SHA-256 the user data names, the archive the one the manifest names,
and every file in it the one the manifest lists, before anything is written. The files go to ``<prefix>/lib``
(replaced whole) and a ``kops`` command to ``<prefix>/bin/kops``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable

#: Attempts to read each object: a machine's network and credentials may take a while to come up.
ATTEMPTS = 8


class InstallError(Exception):
    """The bundle cannot be installed; the message says why."""


def fetch(read: Callable[[str], bytes], url: str, expected: str) -> bytes:
    """The object at ``url``, checked against its SHA-256; transient failures are retried, a mismatch is not."""
    delay = 2.0
    for attempt in range(1, ATTEMPTS + 1):
        try:
            data = read(url)
            break
        except Exception as exc:  # the reader's own errors: each is retried
            if attempt == ATTEMPTS:
                raise InstallError(f"cannot read {url}: {exc}") from None
            print(f"kops bootstrap: reading {url} failed ({exc}); retrying in {delay:.0f}s", file=sys.stderr)
            time.sleep(delay)
            delay = min(delay * 2, 30)
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise InstallError(f"{url}: sha256 mismatch: expected {expected}, got {actual}; refusing to install it")
    return data


def install(read: Callable[[str], bytes], manifest_url: str, manifest_sha256: str, prefix: str) -> str:
    """Install the bundle whose manifest is at ``manifest_url`` under ``prefix``; return the ``kops`` command."""
    lib, command = os.path.join(prefix, "lib"), os.path.join(prefix, "bin", "kops")
    marker = os.path.join(lib, ".bundle-sha256")
    if os.path.isfile(marker) and open(marker).read().strip() == manifest_sha256 and os.path.isfile(command):
        return command
    manifest = json.loads(fetch(read, manifest_url, manifest_sha256))
    archive_url = manifest_url.rsplit("/", 1)[0] + "/" + manifest["archive"]["path"]
    files = json.loads(fetch(read, archive_url, manifest["archive"]["sha256"]))["files"]
    listed = manifest["files"]
    if set(files) != set(listed):
        extra, missing = sorted(set(files) - set(listed)), sorted(set(listed) - set(files))
        raise InstallError(f"{archive_url}: its files differ from the manifest's (not listed: {extra[:3]}, "
                           f"missing: {missing[:3]})")
    for path, text in files.items():
        digest = hashlib.sha256(text.encode()).hexdigest()
        if digest != listed[path]:
            raise InstallError(f"{archive_url}: {path}: sha256 mismatch: expected {listed[path]}, got {digest}")
        if path.startswith("/") or ".." in path.split("/"):
            raise InstallError(f"{archive_url}: {path}: not a path inside the bundle")
    staging = lib + ".new"
    shutil.rmtree(staging, ignore_errors=True)
    for path, text in files.items():
        target = os.path.join(staging, *path.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w", encoding="utf-8") as out:
            out.write(text)
    with open(os.path.join(staging, ".bundle-sha256"), "w") as out:
        out.write(manifest_sha256 + "\n")
    shutil.rmtree(lib, ignore_errors=True)
    os.replace(staging, lib)
    os.makedirs(os.path.dirname(command), exist_ok=True)
    with open(command + ".new", "w") as out:
        out.write(f"#!{sys.executable} -s\n# kops {manifest.get('kopsVersion', '')}, installed from {manifest_url}\n"
                  f"import sys\nsys.path.insert(0, {lib!r})\nfrom kops.cli.main import main\nmain()\n")
    os.chmod(command + ".new", 0o755)
    os.replace(command + ".new", command)
    return command


def main(read: Callable[[str], bytes], argv: list[str]) -> None:
    """``MANIFEST_URL SHA256 PREFIX``: install, or say why not on one line and exit 1."""
    try:
        command = install(read, argv[0], argv[1], argv[2])
    except (InstallError, OSError, ValueError, KeyError) as exc:
        print(f"kops bootstrap: {exc}", file=sys.stderr)
        sys.exit(1)
    print(f"kops bootstrap: installed {command}", file=sys.stderr)
