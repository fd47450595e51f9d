"""The options of ``kops create cluster``, one field per flag (upstream's NewClusterOptions)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class CreateClusterOptions:
    cluster_name: str = ""
    cloud: str = ""
    zones: list[str] = field(default_factory=list)
    control_plane_zones: list[str] = field(default_factory=list)
    channel: str = "stable"
    kubernetes_version: str = ""
    kubernetes_feature_gates: list[str] = field(default_factory=list)
    authorization: str = "RBAC"
    admin_access: list[str] = field(default_factory=list)
    ssh_access: list[str] = field(default_factory=list)
    networking: str = "cilium"
    topology: str = ""
    dns_type: str = ""
    dns_zone: str = ""
    bastion: bool = False
    egress: str = ""
    ipv6: bool = False
    network_id: str = ""
    network_cidrs: list[str] = field(default_factory=list)
    subnet_ids: list[str] = field(default_factory=list)
    utility_subnet_ids: list[str] = field(default_factory=list)
    disable_subnet_tags: bool = False
    discovery_store: str = ""
    instance_manager: str = "cloudgroups"
    control_plane_count: int = 0
    node_count: int = 0
    api_server_count: int = 0
    etcd_count: int = 0
    scheduler_count: int = 0
    kcm_count: int = 0
    control_plane_sizes: list[str] = field(default_factory=list)
    node_sizes: list[str] = field(default_factory=list)
    api_server_sizes: list[str] = field(default_factory=list)
    etcd_sizes: list[str] = field(default_factory=list)
    scheduler_sizes: list[str] = field(default_factory=list)
    kcm_sizes: list[str] = field(default_factory=list)
    image: str = ""
    node_image: str = ""
    control_plane_image: str = ""
    bastion_image: str = ""
    node_volume_size: int = 0
    node_volume_type: str = ""
    control_plane_volume_size: int = 0
    control_plane_volume_type: str = ""
    node_security_groups: list[str] = field(default_factory=list)
    control_plane_security_groups: list[str] = field(default_factory=list)
    associate_public_ip: bool | None = None
    control_plane_tenancy: str = ""
    node_tenancy: str = ""
    etcd_clusters: list[str] = field(default_factory=lambda: ["main", "events"])
    etcd_storage_type: str = ""
    encrypt_etcd_storage: bool | None = None
    api_loadbalancer_type: str = ""
    api_ssl_certificate: str = ""
    api_public_name: str = ""
    cloud_labels: str = ""
    # GCE
    project: str = ""
    gce_service_account: str = ""
    # OpenStack
    os_ext_net: str = ""
    os_ext_subnet: str = ""
    os_lb_floating_subnet: str = ""
    os_dns_servers: str = ""
    os_octavia: bool = False
    os_kubelet_ignore_az: bool = False
    os_octavia_provider: str = ""
    # vSphere
    vsphere_server: str = ""
    vsphere_datacenter: str = ""
    vsphere_resource_pool: str = ""
    vsphere_datastore: str = ""
    # Applied after the rules, before CIDR assignment, as upstream does.
    sets: list[str] = field(default_factory=list)
    unsets: list[str] = field(default_factory=list)
