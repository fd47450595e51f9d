"""Node bootstrap: what ``kops update cluster`` writes for each instance group, and ``kops nodeup``.

At update time (from :func:`kops.bootstrap.bootstrap_files`, through :mod:`.publish`):

- :mod:`.assets` chooses the files a node downloads (kubelet, kubectl, containerd, runc, CNI plugins), each
  with its URL (moved under ``spec.assets.fileRepository`` when set) and the sha256 from :mod:`kops.assets`'
  hash catalog.
- :mod:`.config` builds a group's nodeup configuration: versions, component settings, CA certificates
  (never private keys), hooks and file assets; :mod:`.etcd` the control plane's etcd-manager pods.

On the machine (``kops nodeup --config URL [--root DIR]``, :mod:`.run`): :mod:`.fetch` reads the
configuration and downloads and verifies every asset before anything is written; :mod:`.pki` issues the
control plane's certificates from the keysets in the state store; :mod:`.kubelet`, :mod:`.containerd`,
:mod:`.controlplane` (with :mod:`.pods`) and :mod:`.units` build the files in memory; :mod:`.files` writes
them.
"""
