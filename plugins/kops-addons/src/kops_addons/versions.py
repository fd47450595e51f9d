"""The images each add-on pins; the add-on's channel version follows its image, so a bump re-applies it."""

METRICS_SERVER_IMAGE = "registry.k8s.io/metrics-server/metrics-server:v0.8.0"
#: cert-manager's images are quay.io/jetstack/cert-manager-<component>:<version>, one version for all.
CERT_MANAGER_REGISTRY = "quay.io/jetstack"
CERT_MANAGER_VERSION = "v1.19.5"
SNAPSHOT_CONTROLLER_IMAGE = "registry.k8s.io/sig-storage/snapshot-controller:v6.0.1"
#: The controller's image; ``spec.awsLoadBalancerController.version`` picks another tag.
AWS_LOAD_BALANCER_CONTROLLER_IMAGE = "public.ecr.aws/eks/aws-load-balancer-controller"
AWS_LOAD_BALANCER_CONTROLLER_VERSION = "v3.3.0"
#: The node termination handler's image; its tag is ``spec.nodeTerminationHandler.version``, which kops-aws
#: completes (``kops_aws.component_versions.NODE_TERMINATION_HANDLER_VERSION``).
NODE_TERMINATION_HANDLER_IMAGE = "public.ecr.aws/aws-ec2/aws-node-termination-handler"
