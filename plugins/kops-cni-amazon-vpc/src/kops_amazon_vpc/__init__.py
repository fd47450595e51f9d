"""Amazon VPC CNI networking for kops (``--networking amazonvpc``, also spelt ``amazon-vpc-routed-eni``).

Pods take secondary addresses of the instances' ENIs, so they are plain VPC addresses. The plugin writes
``spec.networking.amazonvpc`` at creation, refuses it off AWS and on IPv6-only clusters, renders the
``networking.amazon-vpc-routed-eni`` add-on (the ``aws-node`` DaemonSet) and opens the control plane to
pods on nodes. Core's completion already knows what kubelet and kube-proxy need with VPC pod addresses.
"""
