"""Versions and images of the AWS components a completed spec pins, as upstream kOps 1.35 ships them."""

CLOUD_CONTROLLER_MANAGER_IMAGE = "registry.k8s.io/provider-aws/cloud-controller-manager:v1.36.1"
EBS_CSI_DRIVER_VERSION = "v1.58.0"
NODE_TERMINATION_HANDLER_VERSION = "v1.25.5"
KARPENTER_IMAGE = "public.ecr.aws/karpenter/controller:1.13.0"
#: The node termination handler's image; its tag is ``spec.nodeTerminationHandler.version``.
NODE_TERMINATION_HANDLER_IMAGE = "public.ecr.aws/aws-ec2/aws-node-termination-handler"
#: The load balancer controller's image; ``spec.awsLoadBalancerController.version`` picks another tag.
AWS_LOAD_BALANCER_CONTROLLER_IMAGE = "public.ecr.aws/eks/aws-load-balancer-controller"
AWS_LOAD_BALANCER_CONTROLLER_VERSION = "v3.3.0"
