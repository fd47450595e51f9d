"""The DigitalOcean model: builders that turn the completed cluster (a :class:`kops.model.ModelContext`) into tasks,
in :data:`BUILDERS` order, as upstream's ``domodel`` and ``MasterVolumeBuilder`` do, plus the firewall upstream
lacks. Each finds what the builders before it made in the run's registry (``model.get``)."""

from __future__ import annotations

from kops_digitalocean.model.api_loadbalancer import APILoadBalancerBuilder
from kops_digitalocean.model.droplets import DropletsBuilder
from kops_digitalocean.model.etcd import EtcdVolumesBuilder
from kops_digitalocean.model.firewall import FirewallBuilder
from kops_digitalocean.model.network import NetworkBuilder

BUILDERS = [NetworkBuilder(), EtcdVolumesBuilder(), DropletsBuilder(), APILoadBalancerBuilder(), FirewallBuilder()]
