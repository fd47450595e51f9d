"""The node credential service (``kops controller serve``): upstream's kops-controller, for the parts nodes need.

It runs on every control-plane machine (a systemd unit nodeup writes, port 3988) from the node bundle, so it
uses kops' pure-Python code only: the cluster is read from the state store as plain trees (:mod:`.facts`),
certificates are signed with the image's ``openssl`` (:mod:`kops.nodeup.openssl`), and the cloud driver checks
who asks (:meth:`kops.cloud.CloudProvider.verify_node_identity`).

- :mod:`.server`: HTTPS on upstream's protocol (``POST /bootstrap``, ``GET /healthz``): a worker's kubelet and
  kube-proxy client certificates, signed by the cluster CA, for a machine the cloud vouches for.
- :mod:`.labels`: a loop that gives each registered Node its instance group's labels (the group, the role and
  the spec's ``nodeLabels``), which kubelets may not set on themselves.
"""
