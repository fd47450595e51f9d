"""The default GCE project when ``--project`` is not given: the one gcloud is configured with.

Upstream asks ``gcloud config get-value project``; the answer lives in local files (and one environment
variable), so it is read from them directly: no command is run and no API is called.
"""

from __future__ import annotations

import configparser
import os
from pathlib import Path


def gcloud_config_dir(env: dict[str, str] | None = None) -> Path:
    env = dict(os.environ) if env is None else env
    if env.get("CLOUDSDK_CONFIG"):
        return Path(env["CLOUDSDK_CONFIG"]).expanduser()
    home = env.get("HOME") or str(Path.home())
    return Path(home) / ".config" / "gcloud"


def default_project(env: dict[str, str] | None = None) -> str:
    """gcloud's configured project (``CLOUDSDK_CORE_PROJECT``, else the active configuration's ``core/project``),
    or "" when none is set."""
    env = dict(os.environ) if env is None else env
    if env.get("CLOUDSDK_CORE_PROJECT", "").strip():
        return env["CLOUDSDK_CORE_PROJECT"].strip()
    config_dir = gcloud_config_dir(env)
    active = env.get("CLOUDSDK_ACTIVE_CONFIG_NAME", "").strip()
    if not active:
        try:
            active = (config_dir / "active_config").read_text().strip()
        except OSError:
            active = ""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(config_dir / "configurations" / f"config_{active or 'default'}")
    except (configparser.Error, UnicodeDecodeError):
        return ""
    return parser.get("core", "project", fallback="").strip()
