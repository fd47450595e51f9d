"""Built wheels are all a user needs: a fresh virtualenv with only kops-core, kops-aws and kops-calico installed from
wheels creates a calico cluster and writes its Terraform; one with only kops-core and kops-addons imports every
module of kops-addons (no plugin leans on another it does not declare)."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*cmd: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd, timeout=900)
    assert p.returncode == 0, f"{' '.join(cmd)}\n{p.stdout}\n{p.stderr}"
    return p


@pytest.fixture(scope="module")
def wheels(tmp_path_factory) -> Path:
    """Every distribution of the repository built as a wheel, once for the module (building takes a minute)."""
    out = tmp_path_factory.mktemp("wheels")
    sources = [ROOT / "plugins" / p for p in sorted(os.listdir(ROOT / "plugins"))]
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT), *map(str, sources))
    return out


def install(wheels: Path, env_dir: Path, *names: str) -> str:
    """A fresh virtualenv with the named wheels (and their dependencies from the package index); its python."""
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = str(env_dir / "bin" / "python")
    run(py, "-m", "pip", "install", "--quiet", *(str(next(wheels.glob(f"{name}-*.whl"))) for name in names))
    return py


def test_wheels_install_alone_and_make_a_calico_cluster(wheels, tmp_path):
    built = sorted(w.name.split("-")[0] for w in wheels.glob("*.whl"))
    assert {"kops_core", "kops_aws", "kops_calico", "kops_cilium", "kops_flannel"} <= set(built)

    env_dir = tmp_path / "env"
    py = install(wheels, env_dir, "kops_core", "kops_aws", "kops_calico")
    listed = run(py, "-m", "pip", "list", "--format=freeze").stdout
    assert "kops-cilium" not in listed and "kops-addons" not in listed and "kops-core" in listed

    env = {k: v for k, v in os.environ.items() if not k.startswith(("KOPS_", "AWS_"))}
    env.update(HOME=str(tmp_path), KOPS_STATE_STORE=f"file://{tmp_path}/store")
    kops = str(env_dir / "bin" / "kops")
    run(kops, "create", "cluster", "calico.example.com", "--cloud", "aws", "--zones", "us-east-1a",
        "--networking", "calico", env=env)
    run(kops, "update", "cluster", "calico.example.com", "--target", "terraform", "--out", str(tmp_path / "tf"),
        "--yes", env=env)
    tf = (tmp_path / "tf" / "kubernetes.tf").read_text()
    assert 'resource "aws_vpc"' in tf and 'resource "aws_launch_template"' in tf
    missing = subprocess.run([kops, "create", "cluster", "c.example.com", "--cloud", "aws", "--zones", "us-east-1a",
                              "--networking", "cilium"], capture_output=True, text=True, env=env)
    assert missing.returncode == 1 and "pip install kops-cilium" in missing.stderr


def test_kops_addons_needs_nothing_but_kops_core(wheels, tmp_path):
    py = install(wheels, tmp_path / "env", "kops_core", "kops_addons")
    listed = run(py, "-m", "pip", "list", "--format=freeze").stdout
    assert "kops-aws" not in listed
    imported = run(py, "-c", "import importlib, pkgutil, kops_addons\n"
                   "for m in pkgutil.walk_packages(kops_addons.__path__, 'kops_addons.'):\n"
                   "    importlib.import_module(m.name); print(m.name)").stdout.split()
    assert {"kops_addons.plugin", "kops_addons.cluster_autoscaler", "kops_addons.cert_manager"} <= set(imported)
