"""Benchmarks, printed as figures: ``make bench``.

- startup: median wall time of ``kops --help`` and ``kops version`` against a bare ``python -c pass``,
  and whether any cloud SDK was imported on the way (``python -X importtime``).
- scale: apply time and re-plan AWS calls for 5 and 50 node groups (see ``cluster_scale.py``).
- rolling update: wall time to replace one node, and 10 nodes with the defaults and with ``maxSurge: 10``
  (see ``rolling_update.py``).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

KOPS = str(Path(sys.executable).with_name("kops"))
CLOUD_SDKS = ("boto3", "botocore", "google.cloud", "openstack", "pyVmomi", "digitalocean", "kubernetes")
RUNS = 21


def median_ms(cmd: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def sdk_imports(args: list[str]) -> list[str]:
    p = subprocess.run([sys.executable, "-X", "importtime", KOPS, *args], capture_output=True, text=True, check=True)
    mods = {line.split("|")[-1].strip() for line in p.stderr.splitlines() if line.startswith("import time:")}
    return sorted(m for m in mods if any(m == s or m.startswith(s + ".") for s in CLOUD_SDKS))


def startup() -> None:
    baseline = median_ms([sys.executable, "-c", "pass"])
    print(f"startup: python -c pass          median {baseline:6.1f} ms over {RUNS} runs")
    for args in (["--help"], ["version"]):
        ms = median_ms([sys.executable, KOPS, *args])
        leaked = sdk_imports(args)
        print(f"startup: kops {' '.join(args):<18} median {ms:6.1f} ms ({ms - baseline:+.1f} ms over python), "
              f"cloud SDKs imported: {', '.join(leaked) or 'none'}")


if __name__ == "__main__":
    startup()
    sys.path.insert(0, str(Path(__file__).parent))
    import cluster_scale
    import rolling_update

    cluster_scale.main()
    rolling_update.main()
