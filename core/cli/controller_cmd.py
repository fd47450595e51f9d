"""``kops controller serve``: the node credential service (upstream's kops-controller) for one cluster."""

from __future__ import annotations

from typing import Any

import click
from kops.cli.flags import KopsCommand, KopsCommandGroup
from kops.cli.settings import global_options, pass_settings


@click.group("controller", cls=KopsCommandGroup)
def controller() -> None:
    """What runs on the control plane for nodes (upstream's kops-controller)."""


@controller.command("serve", cls=KopsCommand)
@click.argument("name", required=False)
@click.option("--listen", default=":3988", show_default=True, metavar="HOST:PORT",
              help="Address to serve HTTPS on (port 0: any free port, which the first log line names).")
@click.option("--label-interval", type=float, default=30.0, show_default=True, metavar="SECONDS",
              help="How often registered nodes get their instance group's labels (0: never).")
@click.option("--kubeconfig", type=click.Path(dir_okay=False, exists=True), default=None,
              help="How to reach the cluster's API to label nodes (default: the API server on this machine, with a "
                   "client certificate issued from the cluster CA).")
@global_options
@pass_settings
def serve(settings: Any, name: str | None, listen: str, label_interval: float, kubeconfig: str | None) -> None:
    """Issue workers' kubelet and kube-proxy credentials, and label the cluster's nodes.

    Machines of the cluster that the cloud vouches for (on AWS: an STS request signed with the instance role;
    on GCE: the metadata server's identity token signed by Google; each for a running instance of the cluster
    in the instance group it claims) get client certificates signed by the cluster CA, over HTTPS with a
    certificate issued from that CA. Every control-plane machine runs it
    (kops-controller.service). Refusals are logged with their reason. Registered nodes get their instance
    group's labels (the group, the role and the group's nodeLabels), which kubelets may not set themselves.

    \b
    kops controller serve my.example.com --state s3://my-state --listen 127.0.0.1:3988
    """
    import logging

    from kops.controller.facts import read_facts
    from kops.controller.server import CredentialService, parse_listen
    from kops.controller.server import serve as run
    from kops.plugins import load_driver

    cluster_name = settings.cluster_name(name)
    host, port = parse_listen(listen)
    store = settings.state_store()
    logger = logging.getLogger("kops.controller")
    logger.setLevel(logging.INFO)
    logger.addHandler(_stderr())
    logger.propagate = False
    facts = read_facts(store, cluster_name)
    cloud = load_driver("cloud", str(facts.cluster["spec"].get("cloudProvider") or ""))()
    if label_interval > 0:
        from kops.controller import labels

        labels.start(store, cluster_name, cloud, label_interval, kubeconfig)
    run(CredentialService(store, cluster_name, cloud), host, port)


def _stderr() -> Any:
    """The service's log: one line per event on stderr, with the time (the journal's, under systemd)."""
    import logging
    import sys

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    return handler
