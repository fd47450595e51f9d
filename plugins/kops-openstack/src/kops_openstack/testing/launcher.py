"""Command lines that run OpenStack's programs from Debian's Python libraries.

The ``python3-nova``-style packages hold the code and its entry points (``nova-compute = nova.cmd.compute:main``)
but not the ``/usr/bin`` scripts, which come with the server packages the testbed leaves out; so a program is
run by loading its entry point, exactly what such a script does. APIs run under uWSGI from a small WSGI file
that loads the ``wsgi_scripts`` entry point the same way."""

from __future__ import annotations

import os
import threading
from pathlib import Path

#: Debian's interpreter, which sees Debian's packages (the testbed itself may run in a virtualenv).
PYTHON = "/usr/bin/python3"
UWSGI = "/usr/bin/uwsgi-core"

_ENTRY_POINT = """\
import sys
from importlib.metadata import entry_points
(ep,) = entry_points(group="console_scripts", name={name!r})
sys.exit(ep.load()())
"""


def console(bin_dir: Path, name: str, *args: str) -> list[str]:
    """``name ARGS``: a script in ``bin_dir`` that does what Debian's ``/usr/bin/NAME`` would (so ``ps`` names
    the service too)."""
    return script(bin_dir, name, _ENTRY_POINT.format(name=name), *args)


def script(bin_dir: Path, name: str, body: str, *args: str) -> list[str]:
    """Python ``body`` as the script ``bin_dir/name``, run by Debian's interpreter with ``args``."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    path = bin_dir / name
    text = f"#!{PYTHON}\n{body}"
    if not path.exists() or path.read_text() != text:
        # Several services may start from one script at once: none may read it half written.
        partial = path.with_name(f".{name}.{os.getpid()}.{threading.get_ident()}")
        partial.write_text(text)
        os.replace(partial, path)
    return [PYTHON, str(path), *args]


def wsgi_file(path: Path, name: str, argv: list[str] | None = None) -> Path:
    """Write a WSGI file whose ``application`` is the ``wsgi_scripts`` entry point ``name``; ``argv`` is what the
    application's configuration is parsed from when it reads the command line (Octavia does)."""
    lines = ["import sys", "from importlib.metadata import entry_points"]
    if argv is not None:
        lines.append(f"sys.argv = {argv!r}")
    lines += [f"(ep,) = entry_points(group='wsgi_scripts', name={name!r})", "application = ep.load()()", ""]
    path.write_text("\n".join(lines))
    return path


def uwsgi(wsgi: Path, port: int, processes: int = 1, threads: int = 4) -> list[str]:
    """uWSGI serving ``wsgi`` on loopback with an HTTP/1.1 socket: openstacksdk keeps connections alive, and a
    plain ``--http-socket`` would answer its second request on a connection with a reset. One process with a
    few threads, unless the application runs on eventlet (see :mod:`kops_openstack.testing.nova`)."""
    return [UWSGI, "--plugin", "python3", "--http11-socket", f"127.0.0.1:{port}", "--wsgi-file", str(wsgi),
            "--master", "--processes", str(processes), "--threads", str(threads), "--enable-threads", "--lazy-apps",
            "--die-on-term", "--need-app", "--buffer-size", "65535",
            "--disable-logging", "--log-5xx", "--log-4xx", "--ignore-sigpipe", "--ignore-write-errors",
            "--disable-write-exception"]
