"""Copying container images between registries, with the OCI distribution API (Docker Registry HTTP API v2) and
the standard library: what ``kops get assets --copy`` does for ``spec.assets.containerRegistry``, as upstream does
with go-containerregistry.

An image is copied whole: an index (or Docker manifest list) with every platform's manifest, each manifest's
config and layers, each blob checked against its digest on the way and not sent where the destination already
has it; manifests are pushed by digest, the top one also by the tag asked for. Registries on loopback are spoken
to over plain HTTP (as container runtimes treat them); others over HTTPS. A registry that asks for a bearer token
gets one from its realm, with the credentials ``docker login`` stored for its host (``$DOCKER_CONFIG/config.json``
or ``~/.docker/config.json``), or anonymously.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from kops.errors import KopsError

INDEX_TYPES = ("application/vnd.oci.image.index.v1+json",
               "application/vnd.docker.distribution.manifest.list.v2+json")
MANIFEST_TYPES = ("application/vnd.oci.image.manifest.v1+json",
                  "application/vnd.docker.distribution.manifest.v2+json")
DOCKER_HUB = "registry-1.docker.io"
TIMEOUT = 300


@dataclass(frozen=True)
class Reference:
    registry: str
    repository: str
    #: A tag, or a digest (``sha256:...``).
    version: str

    def __str__(self) -> str:
        return f"{self.registry}/{self.repository}{'@' if ':' in self.version else ':'}{self.version}"


def parse(image: str) -> Reference:
    """``registry.k8s.io/pause:3.10``, ``calico/node:v3.31`` (Docker Hub), ``host:5000/a/b@sha256:...``."""
    name, _, digest = image.partition("@")
    first, _, rest = name.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, rest
    else:
        registry, path = DOCKER_HUB, name if rest else f"library/{name}"
    if registry == "docker.io":
        registry = DOCKER_HUB
        path = path if "/" in path else f"library/{path}"
    repository, _, tag = path.rpartition(":") if ":" in path.rsplit("/", 1)[-1] else (path, "", "latest")
    if not re.fullmatch(r"[a-z0-9]+(?:[._/-][a-z0-9]+)*", repository):
        raise KopsError(f"image {image!r}: {repository!r} is not a repository name")
    return Reference(registry, repository, digest or tag)


class Registry:
    """One registry host, with the token each repository scope got."""

    def __init__(self, host: str):
        self.host = host
        loopback = host.split(":")[0] in ("localhost", "127.0.0.1", "[::1]")
        self.base = f"{'http' if loopback else 'https'}://{host}"
        self._tokens: dict[str, str] = {}

    def request(self, method: str, path: str, scope: str, headers: dict[str, str] | None = None,
                body: bytes | BinaryIO | None = None, length: int | None = None) -> Any:
        """A response (open; the caller reads and closes it), authenticating as the registry asks."""
        url = path if path.startswith("http") else self.base + path
        for _ in range(2):
            sent = dict(headers or {})
            if scope in self._tokens:
                sent["Authorization"] = self._tokens[scope]
            if length is not None:
                sent["Content-Length"] = str(length)
            if hasattr(body, "seek"):
                body.seek(0)  # type: ignore[union-attr]
            try:
                return _open(urllib.request.Request(url, data=body, method=method, headers=sent))
            except urllib.error.HTTPError as exc:
                if exc.code != 401 or scope in self._tokens:
                    raise
                self._tokens[scope] = self._authorize(exc.headers.get("WWW-Authenticate") or "", scope)
        raise KopsError(f"{self.host}: refused the credentials for {scope}")

    def _authorize(self, challenge: str, scope: str) -> str:
        login = _docker_login(self.host)
        if challenge.lower().startswith("basic"):
            if login is None:
                raise KopsError(f"{self.host} asks for a login: docker login {self.host}")
            return f"Basic {login}"
        fields = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
        if "realm" not in fields:
            raise KopsError(f"{self.host}: cannot authenticate ({challenge or 'no challenge'})")
        query = urllib.parse.urlencode({"service": fields.get("service", ""), "scope": scope})
        request = urllib.request.Request(f"{fields['realm']}?{query}")
        if login is not None:
            request.add_header("Authorization", f"Basic {login}")
        with _open(request) as response:
            answer = json.loads(response.read())
        return f"Bearer {answer.get('token') or answer.get('access_token')}"


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows a registry's redirect of a blob to its storage without the registry's credentials."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and urllib.parse.urlsplit(newurl).netloc != urllib.parse.urlsplit(req.full_url).netloc:
            new.headers.pop("Authorization", None)
            new.unredirected_hdrs.pop("Authorization", None)
        return new


_OPENER = urllib.request.build_opener(_Redirects())


def _open(request: urllib.request.Request) -> Any:
    try:
        return _OPENER.open(request, timeout=TIMEOUT)
    except urllib.error.HTTPError:
        raise
    except (urllib.error.URLError, OSError) as exc:
        raise KopsError(f"{request.get_method()} {request.full_url}: {getattr(exc, 'reason', exc)}") from None


def _docker_login(host: str) -> str | None:
    """The ``user:password`` (base64) ``docker login`` stored for ``host``, if any."""
    folder = Path(os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker")
    try:
        auths = json.loads((folder / "config.json").read_text()).get("auths") or {}
    except (OSError, ValueError):
        return None
    names = [host, f"https://{host}", f"http://{host}"] + (["https://index.docker.io/v1/"] if host == DOCKER_HUB else [])
    return next((auths[n]["auth"] for n in names if (auths.get(n) or {}).get("auth")), None)


def copy(source: str, destination: str) -> str:
    """Copy image ``source`` to ``destination`` (every platform); the digest of what was pushed."""
    src, dst = parse(source), parse(destination)
    copier = _Copier(Registry(src.registry), src.repository, Registry(dst.registry), dst.repository)
    try:
        return copier.manifest(src.version, dst.version)
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace").strip()[:200]
        raise KopsError(f"copying {source} to {destination}: {exc.url}: HTTP {exc.code} {detail}".rstrip()) from None


class _Copier:
    def __init__(self, source: Registry, src_repo: str, target: Registry, dst_repo: str):
        self.source, self.src_repo, self.target, self.dst_repo = source, src_repo, target, dst_repo
        self.pull = f"repository:{src_repo}:pull"
        self.push = f"repository:{dst_repo}:pull,push"

    def manifest(self, version: str, push_as: str) -> str:
        """Copy the manifest ``version`` (a tag or digest) and what it refers to; push it as ``push_as``."""
        accept = ", ".join((*INDEX_TYPES, *MANIFEST_TYPES))
        with self.source.request("GET", f"/v2/{self.src_repo}/manifests/{version}", self.pull,
                                 {"Accept": accept}) as response:
            data, kind = response.read(), response.headers.get("Content-Type", "").split(";")[0]
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        if version.startswith("sha256:") and version != digest:
            raise KopsError(f"{self.source.host}/{self.src_repo}@{version}: the manifest's digest is {digest}")
        document = json.loads(data)
        kind = kind or document.get("mediaType", "")
        if kind in INDEX_TYPES:
            for child in document.get("manifests") or []:
                self.manifest(child["digest"], child["digest"])
        elif kind in MANIFEST_TYPES:
            for blob in [document["config"], *(document.get("layers") or [])]:
                self.blob(blob["digest"])
        else:
            raise KopsError(f"{self.source.host}/{self.src_repo}:{version}: manifests of type {kind!r} are not copied")
        with self.target.request("PUT", f"/v2/{self.dst_repo}/manifests/{push_as}", self.push,
                                 {"Content-Type": kind}, data, len(data)):
            pass
        return digest

    def blob(self, digest: str) -> None:
        try:
            with self.target.request("HEAD", f"/v2/{self.dst_repo}/blobs/{digest}", self.push):
                return  # already there
        except urllib.error.HTTPError as exc:
            if exc.code != 404:
                raise
        with tempfile.TemporaryFile() as spool:
            hashed = hashlib.sha256()
            with self.source.request("GET", f"/v2/{self.src_repo}/blobs/{digest}", self.pull) as response:
                while chunk := response.read(1 << 20):
                    hashed.update(chunk)
                    spool.write(chunk)
            if "sha256:" + hashed.hexdigest() != digest:
                raise KopsError(f"{self.source.host}/{self.src_repo}: blob {digest} arrived with digest "
                                f"sha256:{hashed.hexdigest()}; not copied")
            size = spool.tell()
            with self.target.request("POST", f"/v2/{self.dst_repo}/blobs/uploads/", self.push, body=b"",
                                     length=0) as started:
                location = urllib.parse.urljoin(self.target.base + "/", started.headers["Location"])
            joiner = "&" if "?" in location else "?"
            with self.target.request("PUT", f"{location}{joiner}digest={urllib.parse.quote(digest)}", self.push,
                                     {"Content-Type": "application/octet-stream"}, spool, size):
                pass


def copy_images(pairs: list[tuple[str, str]]) -> list[str]:
    """Copy each (canonical, download) image pair that differs; one line per image."""
    lines = []
    for source, destination in pairs:
        if source == destination:
            continue
        digest = copy(source, destination)
        lines.append(f"{destination}: copied from {source} ({digest})")
    return lines
