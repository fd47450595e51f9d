"""Benchmarks, printed as figures: ``make bench``.

- startup: the CPU time (user + sys of the child) and wall time of ``kops --help``, ``kops version``, ``kops
  completion bash`` and the commands that only read a file:// state store, as medians over runs that alternate with
  a bare ``python -c pass``, and as multiples of it; and whether any cloud SDK or the Kubernetes client is loaded
  in the process that prints ``kops --help`` (its ``sys.modules`` at exit, plugins' imports included).
- scale: apply time and re-plan AWS calls for 5 and 50 node groups (see ``cluster_scale.py``).
- rolling update: wall time to replace one node, and 10 nodes with the defaults and with ``maxSurge: 10``
  (see ``rolling_update.py``).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KOPS = str(Path(sys.executable).with_name("kops"))
CLOUD_SDKS = ("boto3", "botocore", "google.cloud", "googleapiclient", "openstack", "pyVmomi", "digitalocean",
              "kubernetes")
RUNS = 21
CLUSTER = "bench.example.com"
STARTUP = (["--help"], ["version"], ["completion", "bash"])
READS = (["get", "clusters"], ["get", "ig", "--name", CLUSTER], ["get", "cluster", CLUSTER, "-o", "yaml"],
         ["get", "all", CLUSTER, "-o", "json"], ["get", "secrets", "--name", CLUSTER],
         ["get", "keypairs", "--name", CLUSTER], ["get", "sshpublickeys", "--name", CLUSTER])
#: Prints the modules loaded by the time ``kops --help`` is done, one a line on stderr.
LOADED_BY_HELP = """
import sys
from kops.cli.main import main
sys.argv = ["kops", "--help"]
try:
    main()
except SystemExit:
    pass
sys.stderr.write("\\n".join(sorted(sys.modules)))
"""


def run_once(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """CPU milliseconds (user + sys of the child alone) and wall milliseconds of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = (time.perf_counter() - start) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return cpu, wall


def medians(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float, float]:
    """Median CPU and wall ms of ``cmd`` and of ``python -c pass``, run in turn so both see the same machine load."""
    baseline = [sys.executable, "-c", "pass"]
    run_once(cmd, env)  # warm: the OS's file cache and kops' entry-point cache
    ours, base = [], []
    for _ in range(RUNS):
        base.append(run_once(baseline, env))
        ours.append(run_once(cmd, env))
    return (statistics.median(c for c, _ in ours), statistics.median(w for _, w in ours),
            statistics.median(c for c, _ in base), statistics.median(w for _, w in base))


def sdk_modules(env: dict[str, str]) -> list[str]:
    done = subprocess.run([sys.executable, "-c", LOADED_BY_HELP], env=env, capture_output=True, text=True, check=True)
    return [m for m in done.stderr.splitlines() if any(m == s or m.startswith(s + ".") for s in CLOUD_SDKS)]


def file_store(root: Path) -> dict[str, str]:
    """An environment with an empty HOME and a file:// state store holding one cluster, a secret and an SSH key."""
    home = root / "home"
    (home / ".ssh").mkdir(parents=True)
    env = {**os.environ, "HOME": str(home), "KOPS_STATE_STORE": f"file://{root / 'store'}"}
    env.pop("XDG_CACHE_HOME", None)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(home / ".ssh" / "id_ed25519")], check=True)
    dockerconfig = root / "dockerconfig.json"
    dockerconfig.write_text('{"auths": {"registry.example.com": {"auth": "dXNlcjpwYXNz"}}}')
    for args in (["create", "cluster", CLUSTER, "--cloud", "aws", "--zones", "us-east-1a,us-east-1b",
                  "--ssh-public-key", str(home / ".ssh" / "id_ed25519.pub")],
                 ["create", "secret", "dockerconfig", "--name", CLUSTER, "-f", str(dockerconfig)]):
        subprocess.run([KOPS, *args], env=env, stdout=subprocess.DEVNULL, check=True)
    return env


def startup() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = file_store(Path(tmp))
        print(f"startup: CPU time (user+sys) and wall time, medians of {RUNS} runs alternating with python -c pass")
        for args in (*STARTUP, *READS):
            cpu, wall, base_cpu, base_wall = medians([KOPS, *args], env)
            print(f"startup: kops {' '.join(args):<42} cpu {cpu:6.1f} ms {cpu / base_cpu:4.1f}x   "
                  f"wall {wall:6.1f} ms {wall / base_wall:4.1f}x   (python -c pass: cpu {base_cpu:.1f} ms, "
                  f"wall {base_wall:.1f} ms)")
        leaked = sdk_modules(env)
        print(f"startup: cloud SDKs or Kubernetes client loaded by kops --help: {', '.join(leaked) or 'none'}")


if __name__ == "__main__":
    startup()
    sys.path.insert(0, str(Path(__file__).parent))
    import cluster_scale
    import rolling_update
    import update_scale

    cluster_scale.main()
    update_scale.main()
    rolling_update.main()
