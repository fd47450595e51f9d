"""``kops create cluster``: build a new cluster's spec from flags and store it (or print it with --dry-run)."""

from __future__ import annotations

from typing import Any

import click
from kops.cli.flags import KopsCommand, bool_flag, list_option, split_assignments
from kops.cli.settings import Settings, global_options

# (flags, option field, kind, help). kind: str | int | list | choice:<a,b,...>
FLAGS: list[tuple[tuple[str, ...], str, str, str]] = [
    (("--cloud",), "cloud", "str", "Cloud provider: aws, gce, openstack, vsphere, digitalocean (needs its plugin)."),
    (("--zones",), "zones", "list", "Zones in which to run the cluster."),
    (("--control-plane-zones", "--master-zones"), "control_plane_zones", "list", "Zones for control-plane nodes."),
    (("--channel",), "channel", "str", "Channel for default versions and images (stable, alpha, or a file)."),
    (("--kubernetes-version",), "kubernetes_version", "str", "Kubernetes version (default: the channel's)."),
    (("--kubernetes-feature-gates",), "kubernetes_feature_gates", "list", "Feature gates: Foo enables, -Foo disables."),
    (("--authorization",), "authorization", "choice:RBAC,AlwaysAllow", "Authorization mode."),
    (("--admin-access",), "admin_access", "list", "CIDRs allowed to reach the API (default: everyone)."),
    (("--ssh-access",), "ssh_access", "list", "CIDRs allowed to SSH (default: --admin-access)."),
    (("--networking",), "networking", "str", "Networking: cilium (default), calico, flannel, kubenet, cni, ..."),
    (("--topology", "-t"), "topology", "choice:public,private", "Network topology."),
    (("--dns",), "dns_type", "choice:public,private,none", "DNS type (default: public with --dns-zone, else none)."),
    (("--dns-zone",), "dns_zone", "str", "DNS hosted zone for the cluster's records."),
    (("--egress",), "egress", "str", "Egress for private subnets: a NAT gateway (nat-...) or instance (i-...) ID."),
    (("--network-id", "--vpc", "--os-network"), "network_id", "str", "Shared network (VPC) to use."),
    (("--network-cidr",), "network_cidrs", "list", "Network CIDR(s); extra ones become extra subnets."),
    (("--subnets",), "subnet_ids", "list", "Shared subnets to use."),
    (("--utility-subnets",), "utility_subnet_ids", "list", "Shared utility subnets to use."),
    (("--discovery-store",), "discovery_store", "str", "Public store for OIDC discovery documents (IRSA on AWS)."),
    (("--instance-manager",), "instance_manager", "choice:cloudgroups,karpenter", "Instance manager."),
    (("--control-plane-count", "--master-count"), "control_plane_count", "int", "Number of control-plane nodes."),
    (("--node-count",), "node_count", "int", "Total number of worker nodes (default: one per zone)."),
    (("--api-server-count",), "api_server_count", "int", "Number of API-server nodes (APIServerNodes feature)."),
    (("--etcd-count",), "etcd_count", "int", "Number of dedicated etcd nodes (experimental)."),
    (("--scheduler-count",), "scheduler_count", "int", "Number of dedicated scheduler nodes (experimental)."),
    (("--kcm-count",), "kcm_count", "int", "Number of dedicated controller-manager nodes (experimental)."),
    (("--control-plane-size", "--master-size"), "control_plane_sizes", "list", "Machine type(s) for control-plane nodes."),
    (("--node-size",), "node_sizes", "list", "Machine type(s) for worker nodes."),
    (("--api-server-size",), "api_server_sizes", "list", "Machine type for API-server nodes."),
    (("--etcd-size",), "etcd_sizes", "list", "Machine type(s) for etcd nodes."),
    (("--scheduler-size",), "scheduler_sizes", "list", "Machine type(s) for scheduler nodes."),
    (("--kcm-size",), "kcm_sizes", "list", "Machine type(s) for controller-manager nodes."),
    (("--image",), "image", "str", "Machine image for all instances (on vSphere, the VM template to clone)."),
    (("--node-image",), "node_image", "str", "Machine image for worker nodes."),
    (("--control-plane-image", "--master-image"), "control_plane_image", "str", "Machine image for control-plane nodes."),
    (("--bastion-image",), "bastion_image", "str", "Machine image for bastions."),
    (("--node-volume-size",), "node_volume_size", "int", "Root volume size (GB) for worker nodes."),
    (("--node-volume-type",), "node_volume_type", "str", "Root volume type for worker nodes."),
    (("--control-plane-volume-size", "--master-volume-size"), "control_plane_volume_size", "int",
     "Root volume size (GB) for control-plane nodes."),
    (("--control-plane-volume-type",), "control_plane_volume_type", "str", "Root volume type for control-plane nodes."),
    (("--node-security-groups",), "node_security_groups", "list", "Extra security groups for worker nodes."),
    (("--control-plane-security-groups", "--master-security-groups"), "control_plane_security_groups", "list",
     "Extra security groups for control-plane nodes."),
    (("--control-plane-tenancy", "--master-tenancy"), "control_plane_tenancy", "choice:default,dedicated",
     "Tenancy of control-plane nodes (AWS)."),
    (("--node-tenancy",), "node_tenancy", "choice:default,dedicated", "Tenancy of worker nodes (AWS)."),
    (("--etcd-clusters",), "etcd_clusters", "list", "Names of the etcd clusters (default: main,events)."),
    (("--etcd-storage-type",), "etcd_storage_type", "str", "Volume type of etcd members."),
    (("--api-loadbalancer-type",), "api_loadbalancer_type", "choice:public,internal", "API load balancer type."),
    (("--api-ssl-certificate",), "api_ssl_certificate", "str", "Certificate ARN for the API load balancer (AWS)."),
    (("--api-public-name", "--master-public-name"), "api_public_name", "str", "Public DNS name of the API."),
    (("--cloud-labels",), "cloud_labels", "str", "Tags for all cloud resources: \"Owner=John Doe,Team=Ops\"."),
    (("--project",), "project", "str", "GCE project."),
    (("--gce-service-account",), "gce_service_account", "str", "Service account the GCE VMs run as."),
    (("--os-ext-net",), "os_ext_net", "str", "OpenStack external network for the router."),
    (("--os-ext-subnet",), "os_ext_subnet", "str", "OpenStack external subnet for the router."),
    (("--os-lb-floating-subnet",), "os_lb_floating_subnet", "str", "OpenStack subnet for load balancer floating IPs."),
    (("--os-dns-servers",), "os_dns_servers", "str", "OpenStack DNS servers for the subnets."),
    (("--os-octavia-provider",), "os_octavia_provider", "str", "OpenStack Octavia provider."),
    (("--vsphere-server",), "vsphere_server", "str", "vCenter server, host[:port] without https:// (default: $VSPHERE_SERVER)."),
    (("--vsphere-datacenter",), "vsphere_datacenter", "str", "vSphere datacenter (default: $VSPHERE_DATACENTER)."),
    (("--vsphere-resource-pool",), "vsphere_resource_pool", "str",
     "vSphere cluster, host or resource pool for the VMs (default: $VSPHERE_RESOURCE_POOL)."),
    (("--vsphere-datastore",), "vsphere_datastore", "str", "vSphere datastore for the VMs (default: $VSPHERE_DATASTORE)."),
]

BOOL_FLAGS: list[tuple[str, str, str, bool | None]] = [
    ("--bastion", "bastion", "Add a bastion instance group (private topology only).", False),
    ("--ipv6", "ipv6", "Use IPv6 for the pod network (AWS only).", False),
    ("--encrypt-etcd-storage", "encrypt_etcd_storage", "Encrypt etcd volumes (default on AWS).", None),
    ("--associate-public-ip", "associate_public_ip", "Give instances public IPs.", None),
    ("--disable-subnet-tags", "disable_subnet_tags", "Do not tag subnets.", False),
    ("--os-octavia", "os_octavia", "Use Octavia load balancers (OpenStack).", False),
    ("--os-kubelet-ignore-az", "os_kubelet_ignore_az", "Attach volumes across availability zones (OpenStack).", False),
]


def _option(names: tuple[str, ...], dest: str, kind: str, help: str) -> Any:
    if kind == "list":
        return list_option(*names, dest, help=help)
    if kind == "int":
        return click.option(*names, dest, type=int, default=0, help=help)
    if kind.startswith("choice:"):
        return click.option(*names, dest, type=click.Choice(kind[7:].split(","), case_sensitive=False),
                            default=None, help=help)
    return click.option(*names, dest, default=None, help=help)


def cluster_flags(f: Any) -> Any:
    for names, dest, kind, help in reversed(FLAGS):
        f = _option(names, dest, kind, help)(f)
    for name, dest, help, default in reversed(BOOL_FLAGS):
        f = click.option(f"{name}/--no-{name[2:]}", dest, default=default, help=help)(f)
    return f


@click.command("cluster", cls=KopsCommand)
@click.argument("name", required=False)
@cluster_flags
@click.option("--set", "sets", multiple=True, callback=split_assignments, metavar="PATH=VALUE",
              help="Set a spec field: --set cluster.spec.nodePortAccess=1.2.3.4/32,10.0.0.0/8.")
@list_option("--unset", "unsets", help="Unset a spec field: --unset cluster.spec.sshAccess.", metavar="PATH")
@click.option("--ssh-public-key", type=click.Path(dir_okay=False), help="SSH public key file for the admin user.")
@bool_flag("--dry-run", "Print the cluster and instance groups instead of storing them (needs -o).", default=False)
@click.option("-o", "--output", type=click.Choice(["yaml", "json"], case_sensitive=False), help="Output format for --dry-run.")
@bool_flag("--yes", "Create the cloud resources now, not just the spec.", default=False)
@click.option("--target", type=click.Choice(["direct", "terraform"], case_sensitive=False), default="direct",
              help="With --yes: apply directly, or write Terraform.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Where --target terraform writes.")
@global_options
@click.pass_obj
def create_cluster(settings: Settings, name: str | None, dry_run: bool, output: str | None, yes: bool,
                   ssh_public_key: str | None, target: str, out_dir: str | None, **flags: Any) -> None:
    """Create a Kubernetes cluster's configuration in the state store.

    \b
    kops create cluster my.example.com --cloud aws --zones us-east-1a
    kops create cluster my.example.com --zones us-east-1a,us-east-1b,us-east-1c \\
        --control-plane-zones us-east-1a,us-east-1b,us-east-1c --topology private --bastion
    """
    from kops.cli import specs
    from kops.newcluster.build import new_cluster
    from kops.newcluster.options import CreateClusterOptions

    if dry_run and not output:
        raise click.UsageError("--dry-run needs --output yaml or --output json")
    options = CreateClusterOptions(cluster_name=settings.cluster_name(name) or "")
    for key, value in flags.items():
        if value is not None:
            setattr(options, key, value)
    key_text = specs.read_ssh_public_key(ssh_public_key) if ssh_public_key else None
    state_url = settings.state_url()
    built = new_cluster(options, state_url)
    for warning in built.warnings:
        click.echo(f"Warning: {warning}", err=True)
    cluster, groups = specs.finish(built.cluster, built.instance_groups)
    if dry_run:
        click.echo(specs.render([cluster, *groups], output, ssh_key=key_text), nl=False)
        return
    registry = specs.registry(settings)
    registry.create(cluster, groups, ssh_public_key=key_text)
    click.echo(f"Cluster {options.cluster_name!r} created in {state_url}.")
    if yes:
        from kops.cli.update_cmd import run_update

        run_update(settings, options.cluster_name, yes=True, target=target, out_dir=out_dir)
        return
    click.echo(f"Review it with: kops get cluster {options.cluster_name} -o yaml\n"
               f"Create the cloud resources with: kops update cluster --name {options.cluster_name} --yes")
