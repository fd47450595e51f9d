"""The root ``kops`` command: global flags, lazily loaded built-in commands, plugin commands, exit codes.

Built-in commands live in their own modules and are imported only when named (or when ``--help``
lists them), so startup stays fast. Plugin commands come from the ``kops_cli_commands`` hook.

Exit codes: 0 success, 1 any error, usage errors included. 2 is kept for ``--detailed-exitcode``
("changes present"), as Terraform uses it, so click's usage-error code 2 is remapped to 1.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click
from kops.cli.settings import Settings
from kops.errors import KopsError

log = logging.getLogger("kops")

#: name -> "module:attribute" of the built-in top-level commands.
BUILTIN_COMMANDS = {
    "version": "kops.cli.version_cmd:version",
    "plugins": "kops.cli.plugins_cmd:plugins",
    "completion": "kops.cli.completion_cmd:completion",
    "create": "kops.cli.create_cmd:create",
    "get": "kops.cli.get_cmd:get",
    "replace": "kops.cli.replace_cmd:replace",
    "edit": "kops.cli.edit_cmd:edit",
    "delete": "kops.cli.delete_cmd:delete",
    "toolbox": "kops.cli.toolbox_cmd:toolbox",
    "nodeup": "kops.cli.nodeup_cmd:nodeup",
    "mount-etcd-disks": "kops.cli.nodeup_cmd:mount_etcd_disks",
    "controller": "kops.cli.controller_cmd:controller",
    "update": "kops.cli.update_cmd:update",
    "upgrade": "kops.cli.upgrade_cmd:upgrade",
    "promote": "kops.cli.keypair_cmd:promote",
    "distrust": "kops.cli.keypair_cmd:distrust",
    "trust": "kops.cli.keypair_cmd:trust",
    "export": "kops.cli.kubeconfig_cmd:export",
    "validate": "kops.cli.validate_cmd:validate",
    "rolling-update": "kops.cli.rolling_update_cmd:rolling_update",
    "reconcile": "kops.cli.reconcile_cmd:reconcile",
}
#: name -> the one-line help ``kops --help`` shows for each built-in command, so that listing them imports none
#: (a test keeps each equal to its command's own).
HELP_LINES = {
    "version": "Print the version of kops and of each installed plugin.",
    "plugins": "Inspect installed plugins.",
    "completion": "Print the completion script for SHELL.",
    "create": "Create a resource from a file or from flags.",
    "get": "List or show resources.",
    "replace": "Replace a cluster's spec (and instance groups) with the content of files.",
    "edit": "Edit a cluster or instance group spec.",
    "delete": "Delete resources.",
    "toolbox": "Miscellaneous helpers.",
    "nodeup": "Install and configure kubelet, containerd and, on the control plane, its components.",
    "mount-etcd-disks": "Format (when blank) and mount this control-plane machine's etcd disks under /mnt/disks.",
    "controller": "What runs on the control plane for nodes (upstream's kops-controller).",
    "update": "Bring the cloud in line with the spec.",
    "upgrade": "Upgrade a cluster to what its release channel recommends.",
    "promote": "Promote a resource.",
    "distrust": "Distrust a resource.",
    "trust": "Trust a resource.",
    "export": "Export configuration.",
    "validate": "Validate a running cluster.",
    "rolling-update": "Replace a cluster's machines, group by group.",
    "reconcile": "Bring a running cluster in line with its spec.",
}


class KopsGroup(click.Group):
    """A group whose built-in commands are imported on demand and which adds plugins' commands."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})
        self._plugin_commands: dict[str, click.Command] | None = None

    def plugin_commands(self) -> dict[str, click.Command]:
        if self._plugin_commands is None:
            from kops import plugins

            found: dict[str, click.Command] = {}
            for cmd in plugins.collect(plugins.hook().kops_cli_commands()):
                if cmd.name in self.lazy or cmd.name in self.commands or cmd.name in found:
                    log.warning("a plugin command %r collides with an existing command and is skipped", cmd.name)
                    continue
                found[cmd.name] = cmd
            self._plugin_commands = found
        return self._plugin_commands

    def plugin_help_lines(self) -> dict[str, str]:
        """Each plugin command's one-line help by name, from the cache kept with the entry points (loading the
        plugins only when what is installed, or a plugin's source, changed)."""
        from kops import entrypoints

        def compute() -> tuple[dict[str, str], list[str] | None]:
            from kops import plugins

            before = set(sys.modules)
            lines = {name: cmd.get_short_help_str(10**6) for name, cmd in self.plugin_commands().items()}
            loaded = (getattr(sys.modules[m], "__file__", None) for m in set(sys.modules) - before)
            # A plugin that failed to load is looked at again on the next run (and named again).
            return lines, None if plugins.broken() else sorted(f for f in loaded if f)

        return dict(entrypoints.derived("cli-commands", compute))

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx)) | set(self.lazy)
        if self is cli:
            names |= set(self.plugin_help_lines())
        return sorted(names)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The root's command list from :data:`HELP_LINES` and the plugins' cached lines: no command is imported."""
        if self is not cli:
            return super().format_commands(ctx, formatter)
        lines = {**self.plugin_help_lines(), **HELP_LINES}
        for name, cmd in self.commands.items():
            lines[name] = cmd.get_short_help_str(10**6)
        if lines:
            limit = formatter.width - 6 - max(len(name) for name in lines)
            # Shortened to the terminal as click shortens a command's own help.
            rows = [(name, click.Command(name, help=lines[name]).get_short_help_str(limit)) for name in sorted(lines)]
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name in self.lazy:
            import importlib

            module, attr = self.lazy[cmd_name].split(":")
            cmd = getattr(importlib.import_module(module), attr)
            self.add_command(cmd, cmd_name)
            return cmd
        if self is cli:
            return self.plugin_commands().get(cmd_name)
        return None

    def main(self, *args: Any, **kwargs: Any) -> Any:  # noqa: D401 - click API
        """Run with our exit codes: errors print one line on stderr and exit 1, never a traceback."""
        kwargs["standalone_mode"] = False
        try:
            rv = super().main(*args, **kwargs)
        except click.exceptions.Exit as exc:  # --help, --version and explicit exits
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        except click.ClickException as exc:  # usage and bad-parameter errors
            exc.show()
            sys.exit(1)
        except KopsError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(1)
        except Exception as exc:  # a bug: say so on one line; the traceback is there with -v 10
            if log.isEnabledFor(logging.DEBUG):
                raise
            click.echo(f"Error: internal error ({type(exc).__name__}: {exc}); rerun with -v 10 for details", err=True)
            sys.exit(1)
        # Commands may return an int to choose their exit code (--detailed-exitcode uses 2).
        sys.exit(rv if isinstance(rv, int) else 0)


def _setup_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity < 4 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@click.group(cls=KopsGroup, lazy=BUILTIN_COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--state", envvar=None, help="Location of the state store, e.g. s3://bucket or file:///path "
              "(default: $KOPS_STATE_STORE, then kops_state_store in the config file).")
@click.option("--name", help="Name of the cluster (default: $KOPS_CLUSTER_NAME).")
@click.option("-v", "--v", "verbosity", type=int, default=0, metavar="LEVEL", help="Log verbosity (0-10).")
@click.option("--config", type=click.Path(dir_okay=False), default=None,
              help="Config file (default: $HOME/.kops.yaml).")
@click.pass_context
def cli(ctx: click.Context, state: str | None, name: str | None, verbosity: int, config: str | None) -> None:
    """kops creates, upgrades, reconfigures and deletes production-grade Kubernetes clusters.

    It reads and writes kops.k8s.io/v1alpha2 specs in a state store, plans the cloud resources they
    need, and applies the plan (or writes Terraform).
    """
    from pathlib import Path

    settings = ctx.ensure_object(Settings)
    settings.state = state or settings.state
    settings.name = name or settings.name
    settings.verbosity = verbosity
    settings.config = Path(config) if config else None
    _setup_logging(verbosity)


def main() -> None:
    import os

    if os.environ.get("_KOPS_COMPLETE", "").startswith("powershell"):
        import kops.cli.completion_cmd  # noqa: F401 - teaches click PowerShell's completion protocol
    cli.main(prog_name="kops")
