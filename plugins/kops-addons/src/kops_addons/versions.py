"""The images each add-on pins; the add-on's channel version follows its image, so a bump re-applies it."""

METRICS_SERVER_IMAGE = "registry.k8s.io/metrics-server/metrics-server:v0.8.0"
#: cert-manager's images are quay.io/jetstack/cert-manager-<component>:<version>, one version for all.
CERT_MANAGER_REGISTRY = "quay.io/jetstack"
CERT_MANAGER_VERSION = "v1.19.5"
SNAPSHOT_CONTROLLER_IMAGE = "registry.k8s.io/sig-storage/snapshot-controller:v6.0.1"
