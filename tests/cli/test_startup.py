"""What keeps startup fast must not change what kops finds: plugins installed or removed between two runs are seen
on the next one (no cache to clear), and ``kops --help`` never loads a cloud SDK or the Kubernetes client."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

CLOUD_SDKS = ("boto3", "botocore", "google.cloud", "googleapiclient", "openstack", "pyVmomi", "digitalocean",
              "kubernetes")


def _install(site: Path) -> None:
    """A plugin distribution as pip leaves it: a module and its ``.dist-info`` with the entry point."""
    dist = site / "kops_fresh-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: kops-fresh\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[kops.plugins]\nfresh = kops_fresh_plugin\n\n"
                                           "[kops.networking]\nfreshnet = kops_fresh_plugin:FreshNet\n")
    (site / "kops_fresh_plugin.py").write_text(textwrap.dedent("""
        import click
        from kops import hookimpl

        class FreshNet:
            pass

        @click.command("fresh-hello")
        def hello():
            \"\"\"Say hello from a plugin installed a moment ago.\"\"\"
            click.echo("hello from fresh")

        @hookimpl
        def kops_cli_commands():
            return [hello]
    """))


def _installed(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A fresh site folder with the plugin installed, and the environment that puts it on the import path."""
    site = tmp_path / "site"
    site.mkdir()
    _install(site)
    return site, {"PYTHONPATH": str(site)}


def test_a_plugin_installed_or_removed_between_runs_is_seen_at_once(kops, kops_env, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    env = {"PYTHONPATH": str(site)}
    before = kops("--help", env=env)
    assert before.code == 0 and "fresh-hello" not in before.out
    cache = Path(kops_env.get("XDG_CACHE_HOME") or Path(kops_env["HOME"]) / ".cache")
    assert list((cache / "kops").glob("entry-points-*.json")), "no entry-point cache kept"

    _install(site)
    installed = kops("--help", env=env)
    assert "fresh-hello" in installed.out
    assert kops("fresh-hello", env=env).out == "hello from fresh\n"
    assert "kops-fresh 1.0" in kops("version", env=env).out
    assert "networking:freshnet" in kops("plugins", "list", env=env).out

    shutil.rmtree(site / "kops_fresh-1.0.dist-info")
    removed = kops("--help", env=env)
    assert removed.code == 0 and "fresh-hello" not in removed.out
    assert "kops-fresh" not in kops("version", env=env).out


def test_a_rewritten_entry_point_file_is_read_again(kops, tmp_path):
    site, env = _installed(tmp_path)
    assert "fresh-hello" in kops("--help", env=env).out
    (site / "kops_fresh-1.0.dist-info" / "entry_points.txt").write_text("[kops.networking]\nfreshnet = x:Y\n")
    assert "fresh-hello" not in kops("--help", env=env).out


def test_help_loads_no_cloud_sdk(kops_env):
    """Every module loaded in the process that printed ``kops --help``, plugins' imports included."""
    script = textwrap.dedent("""
        import sys
        from kops.cli.main import main
        sys.argv = ["kops", "--help"]
        try:
            main()
        except SystemExit:
            pass
        sys.stderr.write("\\n".join(sorted(sys.modules)))
    """)
    done = subprocess.run([sys.executable, "-c", script], env=kops_env, capture_output=True, text=True, timeout=120)
    loaded = done.stderr.splitlines()
    assert "Commands:" in done.stdout and "kops_aws.plugin" in loaded  # the plugins were loaded, as --help lists theirs
    leaked = [m for m in loaded if any(m == s or m.startswith(s + ".") for s in CLOUD_SDKS)]
    assert not leaked


def test_help_lines_of_builtin_commands_are_their_own():
    """``kops --help`` lists the built-in commands from a table, without importing them: it says what they say."""
    import importlib

    from kops.cli.main import BUILTIN_COMMANDS, HELP_LINES

    assert sorted(HELP_LINES) == sorted(BUILTIN_COMMANDS)
    for name, target in BUILTIN_COMMANDS.items():
        module, attr = target.split(":")
        assert HELP_LINES[name] == getattr(importlib.import_module(module), attr).get_short_help_str(10**6), name


def test_an_edited_plugin_command_shows_its_new_help_line(kops, tmp_path):
    site, env = _installed(tmp_path)
    assert "Say hello from a plugin installed a moment ago." in kops("--help", env=env).out
    module = site / "kops_fresh_plugin.py"
    module.write_text(module.read_text().replace("Say hello from a plugin", "Greet from a plugin"))
    assert "Greet from a plugin installed a moment ago." in kops("--help", env=env).out


def test_a_broken_plugin_is_named_on_every_run_until_it_is_mended(kops, tmp_path):
    site, env = _installed(tmp_path)
    module = site / "kops_fresh_plugin.py"
    working = module.read_text()
    module.write_text("raise RuntimeError('broken on purpose')\n")
    for _ in range(2):
        broken = kops("--help", env=env)
        assert broken.code == 0 and "kops-fresh" in broken.err and "fresh-hello" not in broken.out
    module.write_text(working)
    assert "fresh-hello" in kops("--help", env=env).out
