"""Node bootstrap: what ``kops update cluster`` writes for each instance group.

At update time (from :func:`kops.bootstrap.bootstrap_files`, through :mod:`.publish`):

- :mod:`.assets` chooses the files a node downloads (kubelet, kubectl, containerd, runc, CNI plugins), each
  with its URL (moved under ``spec.assets.fileRepository`` when set) and the sha256 from :mod:`kops.assets`'
  hash catalog.
- :mod:`.config` builds a group's nodeup configuration: versions, component settings, CA certificates
  (never private keys), hooks and file assets; :mod:`.etcd` the control plane's etcd-manager pods.
"""
