"""Built wheels are all a user needs: a fresh virtualenv with only kops-core, kops-aws and kops-calico
installed from wheels (and kops-addons, which kops-aws depends on) creates a calico cluster and writes its
Terraform."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*cmd: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd, timeout=900)
    assert p.returncode == 0, f"{' '.join(cmd)}\n{p.stdout}\n{p.stderr}"
    return p


def test_wheels_install_alone_and_make_a_calico_cluster(tmp_path):
    wheels = tmp_path / "wheels"
    sources = [ROOT / "plugins" / p for p in sorted(os.listdir(ROOT / "plugins"))]
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(ROOT),
        *map(str, sources))
    built = sorted(w.name.split("-")[0] for w in wheels.glob("*.whl"))
    assert {"kops_core", "kops_aws", "kops_calico", "kops_cilium", "kops_flannel"} <= set(built)

    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = str(env_dir / "bin" / "python")
    chosen = [str(next(wheels.glob(f"{name}-*.whl")))
              for name in ("kops_core", "kops_aws", "kops_calico", "kops_addons")]
    run(py, "-m", "pip", "install", "--quiet", *chosen)
    listed = run(py, "-m", "pip", "list", "--format=freeze").stdout
    assert "kops-cilium" not in listed and "kops-core" in listed

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
