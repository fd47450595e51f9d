"""What ``kops update cluster --target terraform --yes`` costs as a cluster grows: for 10, 100 and 1,000 instance
groups on a ``file://`` store, the median CPU (user + system, from the child's rusage) and wall time, and the peak
resident memory. Terraform output makes no cloud call, so this is kops's own work: completing the spec, rendering
every nodeup configuration and boot file, the keystore, the Terraform writer and the state store's commit.

The first run of each size writes the boot files; the timed runs after it rewrite the same bytes, as a re-run of
an unchanged cluster does.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KOPS = str(Path(sys.executable).with_name("kops"))
SIZES = (10, 100, 1000)
RUNS = 5


def _manifest(name: str, groups: int) -> str:
    """The ``cluster_scale`` cluster with ``groups`` node groups (one of them counts the control plane's)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from cluster_scale import manifest

    return manifest(name, groups - 1)


def _run(env: dict[str, str], *args: str) -> tuple[float, float, int]:
    """CPU seconds, wall seconds and peak RSS (KiB) of one kops run, read from this child's rusage alone."""
    start = time.perf_counter()
    pid = os.posix_spawn(KOPS, [KOPS, *args], env,
                         file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                                       (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)])
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        p = subprocess.run([KOPS, *args], env=env, capture_output=True, text=True)
        sys.exit(f"kops {' '.join(args)} failed: {p.stderr.strip()}")
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss


def measure(groups: int, tmp: Path) -> tuple[float, float, int]:
    """Median CPU and wall seconds over :data:`RUNS` re-runs, and the largest peak RSS (KiB) of any run."""
    name = f"scale{groups}.example.com"
    (tmp / f"{name}.yaml").write_text(_manifest(name, groups))
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp), "KOPS_STATE_STORE": f"file://{tmp}/state"}
    _run(env, "create", "-f", str(tmp / f"{name}.yaml"))
    update = ("update", "cluster", name, "--target", "terraform", "--out", str(tmp / name), "--yes")
    _run(env, *update)
    runs = [_run(env, *update) for _ in range(RUNS)]
    return (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs), max(r[2] for r in runs))


def main() -> None:
    results = {}
    with tempfile.TemporaryDirectory(prefix="kops-bench-") as tmp:
        for groups in SIZES:
            results[groups] = measure(groups, Path(tmp))
            cpu, wall, rss = results[groups]
            print(f"update terraform: {groups:>4} instance groups: CPU {cpu:6.2f} s, wall {wall:6.2f} s "
                  f"(medians of {RUNS}), peak memory {rss / 1024:6.0f} MiB")
    (c_small, _, _), (c_big, _, _) = results[SIZES[0]], results[SIZES[-1]]
    print(f"update terraform: CPU per additional instance group "
          f"{(c_big - c_small) / (SIZES[-1] - SIZES[0]) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
