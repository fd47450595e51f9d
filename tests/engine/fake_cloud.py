"""A small in-memory cloud and task types for it: the engine's tests run real tasks against this.

Resources live in dicts with IDs and tags; every API call is counted; failures can be injected: a share of
calls failing transiently (before any effect, like throttling), or a "crash" after N creates (the process
dies mid-apply).
"""

from __future__ import annotations

import copy
import itertools
import random
import threading
from collections import Counter
from functools import partial
from typing import Any

from kops.engine import Block, CloudErrors, Context, Executor, Snapshot, Task
from kops.engine.targets.terraform import TerraformWriter

CLUSTER = "demo.example.com"
KINDS = ("network", "subnet", "firewall", "instance", "keypair")


class Throttled(Exception):
    """The fake cloud's transient error."""


class Crashed(Exception):
    """Stands for the process being killed: not transient, leaves the cloud half done."""


class FakeCloud:
    def __init__(self, *, fail_rate: float = 0.0, seed: int = 0, crash_after_creates: int | None = None):
        self.resources: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in KINDS}
        self.calls: Counter[tuple[str, str]] = Counter()
        self.mutations: list[tuple[str, str, str]] = []
        self.fail_rate = fail_rate
        self.crash_after_creates = crash_after_creates
        self.creates = 0
        self.throttled = 0
        self._rng = random.Random(seed)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def _call(self, op: str, kind: str) -> None:
        with self._lock:
            self.calls[op, kind] += 1
            if self._rng.random() < self.fail_rate:
                self.throttled += 1
                raise Throttled(f"{op} {kind}: rate exceeded")

    def list_tagged(self, kind: str, cluster: str) -> list[dict[str, Any]]:
        self._call("list", kind)
        with self._lock:
            return [copy.deepcopy(r) for r in self.resources[kind].values() if r["tags"].get("cluster") == cluster]

    def get(self, kind: str, id_: str) -> dict[str, Any] | None:
        self._call("get", kind)
        with self._lock:
            return copy.deepcopy(self.resources[kind].get(id_))

    def create(self, kind: str, name: str, cluster: str | None, **attrs: Any) -> str:
        self._call("create", kind)
        with self._lock:
            if self.crash_after_creates is not None and self.creates >= self.crash_after_creates:
                raise Crashed(f"killed before creating {kind} {name}")
            self.creates += 1
            id_ = f"{kind}-{next(self._ids)}"
            tags = {"Name": name, **({"cluster": cluster} if cluster else {})}
            self.resources[kind][id_] = {"id": id_, "name": name, "tags": tags, **copy.deepcopy(attrs)}
            self.mutations.append(("create", kind, id_))
            return id_

    def update(self, kind: str, id_: str, **attrs: Any) -> None:
        self._call("update", kind)
        with self._lock:
            self.resources[kind][id_].update(copy.deepcopy(attrs))
            self.mutations.append(("update", kind, id_))

    def delete(self, kind: str, id_: str) -> None:
        self._call("delete", kind)
        with self._lock:
            del self.resources[kind][id_]
            self.mutations.append(("delete", kind, id_))

    def api_calls(self, op: str) -> int:
        return sum(n for (o, _), n in self.calls.items() if o == op)

    def names(self, kind: str) -> list[str]:
        return sorted(r["name"] for r in self.resources[kind].values())


class FakeErrors(CloudErrors):
    def transient(self, exc: BaseException) -> bool:
        return isinstance(exc, Throttled)


def make_context(cloud: FakeCloud) -> Context:
    """A fresh run against ``cloud``: a new snapshot listing each kind tagged for the cluster."""
    return Context(CLUSTER, cloud=cloud, snapshot=Snapshot({k: partial(cloud.list_tagged, k, CLUSTER) for k in KINDS}),
                   errors=FakeErrors())


def executor(max_workers: int = 4) -> Executor:
    """An executor that retries without waiting."""
    return Executor(max_workers, sleep=lambda _: None)


def _named(ctx: Context, kind: str, name: str) -> dict[str, Any] | None:
    return ctx.snapshot.first(kind, lambda r: r["name"] == name)


def _tags(ctx: Context, name: str) -> dict[str, str]:
    return {"Name": name, "cluster": ctx.cluster_name}


class Network(Task):
    cidr: str | None = None
    id: str | None = None

    immutable_fields = {"cidr"}
    output_fields = {"id"}
    terraform_type = "fake_network"

    def find(self, ctx: Context) -> Network | None:
        # A shared network is not tagged for the cluster: look it up by its ID, as clouds do.
        raw = ctx.cloud.get("network", self.id) if self.lifecycle.shared and self.id else _named(ctx, "network", self.name)
        if raw is None:
            return None
        return Network(name=self.name, lifecycle=self.lifecycle, cidr=raw["cidr"], id=raw["id"])

    def render_direct(self, ctx: Context, actual: Network | None, changes: Any) -> None:
        self.id = ctx.cloud.create("network", self.name, ctx.cluster_name, cidr=self.cidr)

    def delete_direct(self, ctx: Context) -> None:
        ctx.cloud.delete("network", self.id)

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        tf.add_resource("fake_network", self.name, {"cidr_block": self.cidr, "tags": _tags(ctx, self.name)})
        tf.add_output("network_id", self)

    def render_terraform_shared(self, ctx: Context, tf: TerraformWriter) -> None:
        tf.add_data_source("fake_network", self.name, {"id": self.id})


class Subnet(Task):
    network: Network | None = None
    cidr: str | None = None
    zone: str | None = None
    id: str | None = None

    immutable_fields = {"zone"}
    immutable_advice = "move the subnet by creating a new one"
    output_fields = {"id"}
    terraform_type = "fake_subnet"

    def find(self, ctx: Context) -> Subnet | None:
        raw = _named(ctx, "subnet", self.name)
        if raw is None:
            return None
        # The cloud reports only the network's ID; the engine compares that with the reference's ID.
        return Subnet(name=self.name, network=raw["network_id"], cidr=raw["cidr"], zone=raw["zone"], id=raw["id"])

    def render_direct(self, ctx: Context, actual: Subnet | None, changes: Any) -> None:
        assert self.network is not None
        if actual is None:
            self.id = ctx.cloud.create("subnet", self.name, ctx.cluster_name, network_id=self.network.id,
                                       cidr=self.cidr, zone=self.zone)
        else:
            ctx.cloud.update("subnet", actual.id, **{f: new for f, (_, new) in changes.items()})

    def delete_direct(self, ctx: Context) -> None:
        ctx.cloud.delete("subnet", self.id)

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        tf.add_resource("fake_subnet", self.name, {"network_id": self.network, "cidr_block": self.cidr,
                                                   "zone": self.zone, "tags": _tags(ctx, self.name)})
        tf.add_output_item("subnet_ids", self)


class Firewall(Task):
    network: Network | None = None
    #: Allowed traffic: {"protocol": ..., "port": ..., "sources": [...]} per rule.
    rules: list[dict[str, Any]] | None = None
    id: str | None = None

    output_fields = {"id"}
    terraform_type = "fake_firewall"

    def find(self, ctx: Context) -> Firewall | None:
        raw = _named(ctx, "firewall", self.name)
        if raw is None:
            return None
        return Firewall(name=self.name, network=raw["network_id"], rules=raw["rules"], id=raw["id"])

    def render_direct(self, ctx: Context, actual: Firewall | None, changes: Any) -> None:
        assert self.network is not None
        if actual is None:
            self.id = ctx.cloud.create("firewall", self.name, ctx.cluster_name, network_id=self.network.id,
                                       rules=self.rules)
        else:
            ctx.cloud.update("firewall", actual.id, rules=self.rules)

    def delete_direct(self, ctx: Context) -> None:
        ctx.cloud.delete("firewall", self.id)

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        tf.add_resource("fake_firewall", self.name, {
            "network_id": self.network,
            "ingress": [Block(protocol=r["protocol"], port=r["port"], sources=r["sources"]) for r in self.rules or []],
            "lifecycle": Block(create_before_destroy=True),
        })


class KeyPair(Task):
    public_key: str | None = None
    private_key: str | None = None
    id: str | None = None

    secret_fields = {"private_key"}
    output_fields = {"id"}
    terraform_type = "fake_keypair"

    def find(self, ctx: Context) -> KeyPair | None:
        raw = _named(ctx, "keypair", self.name)
        if raw is None:
            return None
        return KeyPair(name=self.name, public_key=raw["public_key"], private_key=raw["private_key"], id=raw["id"])

    def render_direct(self, ctx: Context, actual: KeyPair | None, changes: Any) -> None:
        if actual is None:
            self.id = ctx.cloud.create("keypair", self.name, ctx.cluster_name, public_key=self.public_key,
                                       private_key=self.private_key)
        else:
            ctx.cloud.update("keypair", actual.id, **{f: new for f, (_, new) in changes.items()})

    def delete_direct(self, ctx: Context) -> None:
        ctx.cloud.delete("keypair", self.id)

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        public_key = tf.file_ref("fake_keypair", self.name, "public_key", self.public_key or "")
        tf.add_resource("fake_keypair", self.name, {"public_key": public_key})


class Instance(Task):
    subnet: Subnet | None = None
    firewalls: list[Firewall] | None = None
    key: KeyPair | None = None
    image: str | None = None
    size: str | None = None
    labels: dict[str, str] | None = None
    user_data: str | None = None
    id: str | None = None

    immutable_fields = {"image", "subnet"}
    replace_on_immutable_change = True
    output_fields = {"id"}
    terraform_type = "fake_instance"

    def find(self, ctx: Context) -> Instance | None:
        raw = _named(ctx, "instance", self.name)
        if raw is None:
            return None
        subnet = ctx.snapshot.first("subnet", lambda s: s["id"] == raw["subnet_id"])
        firewalls = [ctx.snapshot.first("firewall", lambda f, fid=fid: f["id"] == fid) for fid in raw["firewall_ids"]]
        return Instance(
            name=self.name,
            # References rebuilt as tasks named after what the cloud holds: compared by type and name.
            subnet=Subnet(name=subnet["name"], id=subnet["id"]) if subnet else None,
            firewalls=[Firewall(name=f["name"], id=f["id"]) for f in firewalls if f],
            key=KeyPair(name=raw["key_name"]) if raw["key_name"] else None,
            image=raw["image"], size=raw["size"], labels=raw["labels"], user_data=raw["user_data"], id=raw["id"],
        )

    def render_direct(self, ctx: Context, actual: Instance | None, changes: Any) -> None:
        assert self.subnet is not None
        if actual is None:
            self.id = ctx.cloud.create(
                "instance", self.name, ctx.cluster_name, subnet_id=self.subnet.id,
                firewall_ids=[f.id for f in self.firewalls or []], key_name=self.key.name if self.key else None,
                image=self.image, size=self.size, labels=self.labels, user_data=self.user_data)
        else:
            ctx.cloud.update("instance", actual.id, **{f: new for f, (_, new) in changes.items() if f != "firewalls"})

    def delete_direct(self, ctx: Context) -> None:
        ctx.cloud.delete("instance", self.id)

    def render_terraform(self, ctx: Context, tf: TerraformWriter) -> None:
        image = tf.add_data_source("fake_image", self.image or "", {"name": self.image})
        tf.add_resource("fake_instance", self.name, {
            "subnet_id": self.subnet,
            "firewall_ids": self.firewalls,
            "key_name": self.key.terraform_ref("name") if self.key else None,
            "image_id": image,
            "size": self.size,
            "labels": self.labels,
            "user_data": tf.file_ref("fake_instance", self.name, "user_data", self.user_data or "", base64=True),
        })


def model(*, subnets: int = 2, instances_per_subnet: int = 2, size: str = "small") -> list[Task]:
    """A cluster's worth of tasks: a network, subnets, a firewall, a key pair, instances."""
    net = Network(name=CLUSTER, cidr="10.0.0.0/16")
    fw = Firewall(name=f"nodes.{CLUSTER}", network=net,
                  rules=[{"protocol": "tcp", "port": 22, "sources": ["0.0.0.0/0"]},
                         {"protocol": "tcp", "port": 443, "sources": ["10.0.0.0/16"]}])
    key = KeyPair(name=f"key.{CLUSTER}", public_key="ssh-ed25519 AAAAPUBLIC", private_key="-----PRIVATE s3cr3t-----")
    tasks: list[Task] = [net, fw, key]
    for i in range(subnets):
        subnet = Subnet(name=f"zone-{i}.{CLUSTER}", network=net, cidr=f"10.0.{i}.0/24", zone=f"zone-{i}")
        tasks.append(subnet)
        for j in range(instances_per_subnet):
            tasks.append(Instance(name=f"node-{i}-{j}.{CLUSTER}", subnet=subnet, firewalls=[fw], key=key,
                                  image="debian-12", size=size, labels={"role": "node"},
                                  user_data=f"#!/bin/sh\necho node {i}-{j}\n"))
    return tasks


def by_name(tasks: list[Task], name: str) -> Any:
    return next(t for t in tasks if t.name == name)
