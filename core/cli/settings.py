"""Global settings: the state store and cluster name, from flags, environment or ``$HOME/.kops.yaml``.

Resolution order, as upstream kOps: a flag, then the environment (``KOPS_STATE_STORE``,
``KOPS_CLUSTER_NAME``), then the config file (``kops_state_store:``); with no state store anywhere, a
local ``file://`` store in the user's data directory, announced on stderr so nobody is surprised.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from kops.errors import KopsError


def default_config_path() -> Path:
    return Path(os.path.expanduser("~")) / ".kops.yaml"


def default_local_store() -> str:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return "file://" + os.path.join(base, "kops", "state")


@dataclass
class Settings:
    state: str | None = None
    name: str | None = None
    verbosity: int = 0
    config: Path | None = None
    _config_data: dict[str, Any] | None = field(default=None, repr=False)

    def config_data(self) -> dict[str, Any]:
        if self._config_data is None:
            path = self.config or default_config_path()
            data: Any = {}
            if path.exists():
                import yaml

                try:
                    data = yaml.safe_load(path.read_text()) or {}
                except yaml.YAMLError as exc:
                    raise KopsError(f"config file {path}: not valid YAML: {exc}") from exc
                if not isinstance(data, dict):
                    raise KopsError(f"config file {path}: expected a mapping of settings")
            self._config_data = data
        return self._config_data

    def state_url(self) -> str:
        """The state store URL, announcing the local default when nothing set one."""
        url = self.state or os.environ.get("KOPS_STATE_STORE") or self.config_data().get("kops_state_store")
        if not url:
            url = default_local_store()
            click.echo(f"Using the local state store {url} (set --state or KOPS_STATE_STORE to choose one)", err=True)
            self.state = url
        return str(url)

    def state_store(self) -> Any:
        from kops.state import open_store

        return open_store(self.state_url())

    def cluster_name(self, arg: str | None = None, required: bool = True) -> str | None:
        """The cluster name from the positional argument, ``--name`` or ``KOPS_CLUSTER_NAME``."""
        flag = self.name or os.environ.get("KOPS_CLUSTER_NAME") or self.config_data().get("kops_cluster_name")
        if arg and self.name and arg != self.name:
            raise click.UsageError(f"cluster name given twice and they differ: {arg!r} (argument) and {self.name!r} (--name)")
        name = arg or flag
        if required and not name:
            raise click.UsageError("no cluster name: give it as an argument, with --name or in KOPS_CLUSTER_NAME")
        return name


pass_settings = click.make_pass_decorator(Settings, ensure=True)


def global_options(f: Any) -> Any:
    """Let ``--state`` and ``--name`` follow the command too (``kops get clusters --state s3://x``), as upstream."""

    def set_state(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
        if value:
            ctx.ensure_object(Settings).state = value

    def set_name(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
        if value:
            ctx.ensure_object(Settings).name = value

    f = click.option("--state", "global_state", expose_value=False, callback=set_state, is_eager=True, envvar=None,
                     help="Location of the state store (KOPS_STATE_STORE).")(f)
    f = click.option("--name", "global_name", expose_value=False, callback=set_name, is_eager=True,
                     help="Name of the cluster (KOPS_CLUSTER_NAME).")(f)
    return f
