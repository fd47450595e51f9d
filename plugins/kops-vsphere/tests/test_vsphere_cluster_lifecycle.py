"""A vSphere cluster's whole life on govmomi's simulator, through the installed ``kops`` only: the shared lifecycle
(kops.testing.cloud), and the issue's cluster of three control-plane VMs and two nodes, rolled after a size change.
"""

from __future__ import annotations

import json
import subprocess
import sys

from kops.testing.cli import one_line_error
from kops.testing.cloud import test_cluster_lifecycle  # noqa: F401 - collected by pytest


def _ok(result):
    assert result.returncode == 0, f"{' '.join(result.args[1:])}: {result.stdout}{result.stderr}"
    return result


def _instances(cloud_kops, name):
    return json.loads(_ok(cloud_kops("get", "instances", name, "-o", "json")).stdout)


def _simulators_own(cloud_env):
    """Every VM that is no cluster's (the simulator's own), with what a mistaken delete or edit would change."""
    from kops_vsphere.api import VSphereAPI
    from pyVmomi import vim

    api = VSphereAPI(cloud_env["VSPHERE_SERVER"], cloud_env["VSPHERE_USERNAME"], cloud_env["VSPHERE_PASSWORD"],
                     cloud_env["VSPHERE_DATACENTER"], cloud_env["VSPHERE_CA_FILE"])
    view = api.content.viewManager.CreateContainerView(api.content.rootFolder, [vim.VirtualMachine], True)
    own = {vm.name: (vm.runtime.powerState, vm.parent.name) for vm in view.view
           if not str(vm.name).endswith(".example.com")}
    view.Destroy()
    return own


def test_three_control_plane_vms_and_two_nodes_rolled_after_a_size_change(cloud_kops, cloud_env, cloud_case,
                                                                          cluster_name):
    zones = cloud_env["KOPS_VSPHERE_ZONES"]
    before = _simulators_own(cloud_env)
    _ok(cloud_kops("create", "cluster", cluster_name, "--cloud", "vsphere", "--zones", zones,
                   "--control-plane-zones", zones, "--node-count", "2", "--image", cloud_env["KOPS_VSPHERE_TEMPLATE"],
                   "--networking", "calico"))
    planned = json.loads(_ok(cloud_kops("update", "cluster", cluster_name, "-o", "json")).stdout)["changes"]
    assert {c["action"] for c in planned} == {"create"}
    _ok(cloud_kops("update", "cluster", cluster_name, "--yes"))
    assert cloud_kops("update", "cluster", cluster_name, "--detailed-exitcode").returncode == 0
    listed = _instances(cloud_kops, cluster_name)
    assert sorted(i["role"] for i in listed) == ["control-plane"] * 3 + ["node"] * 2, listed
    assert all(i["status"] == "UpToDate" for i in listed)

    group = next(i["instanceGroup"] for i in listed if i["instanceGroup"].startswith("nodes-"))
    alt = cloud_env["KOPS_VSPHERE_MACHINE_ALT"]
    _ok(cloud_kops("edit", "instancegroup", group, "--name", cluster_name, "--set", f"spec.machineType={alt}"))
    _ok(cloud_kops("update", "cluster", cluster_name, "--yes"))
    assert [i["status"] for i in _instances(cloud_kops, cluster_name) if i["instanceGroup"] == group] == ["NeedsUpdate"]
    _ok(cloud_kops("rolling-update", "cluster", cluster_name, "--cloudonly", "--yes"))
    after = _instances(cloud_kops, cluster_name)
    assert len(after) == 5 and all(i["status"] == "UpToDate" for i in after), after
    rolled = [i for i in after if i["instanceGroup"] == group]
    assert [i["machineType"] for i in rolled] == [alt]
    assert {i["id"] for i in after} - {i["id"] for i in listed} == {rolled[0]["id"]}

    _ok(cloud_kops("delete", "cluster", cluster_name, "--yes"))
    assert cloud_case.leftovers(cloud_env, cluster_name) == []
    assert _simulators_own(cloud_env) == before


def test_terraform_is_refused_before_anything_is_written(cloud_kops, cloud_env, cluster_name, tmp_path):
    _ok(cloud_kops("create", "cluster", cluster_name, "--cloud", "vsphere", "--zones", "DC0_C0",
                   "--image", cloud_env["KOPS_VSPHERE_TEMPLATE"]))
    out = tmp_path / "tf"
    refused = cloud_kops("update", "cluster", cluster_name, "--target", "terraform", "--out", str(out))
    assert "Terraform" in one_line_error(refused)
    assert not out.exists()
    assert cloud_kops("update", "cluster", cluster_name, "--detailed-exitcode").returncode == 2  # nothing made


def test_kops_help_imports_no_pyvmomi():
    code = ("import sys\nfrom kops.cli.main import main\nsys.argv = ['kops', '--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pyVmomi', 'pyVim')), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stderr.strip().splitlines()[-1] == "[]"
