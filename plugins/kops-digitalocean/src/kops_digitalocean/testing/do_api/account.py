"""One DigitalOcean account's state: every resource the fake holds, and what the resource modules share
(ids, clocks, addresses, actions, tags, region and VPC look-ups).

Handlers run one at a time under :attr:`Account.lock`, so each call sees and leaves a consistent account,
as the real API's calls do.
"""

from __future__ import annotations

import ipaddress
import itertools
import random
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from kops_digitalocean.testing.do_api import catalogue
from kops_digitalocean.testing.do_api.errors import not_found, unprocessable

#: DigitalOcean's rule for tag names (letters, numbers, colons, dashes, underscores; at most 255).
TAG_NAME = re.compile(r"^[A-Za-z0-9_:\-]{1,255}$")
TAG_NAME_MESSAGE = "tag names must only contain letters, numbers, colons, dashes and underscores"
#: Public addresses come from the documentation ranges (RFC 5737): they look public and reach nothing.
_PUBLIC_RANGES = ("203.0.113.0/24", "198.51.100.0/24", "192.0.2.0/24")


def now() -> str:
    """The time as the API writes it: ``2024-05-01T12:00:00Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@dataclass
class Progress:
    """When a new resource (or an action) settles: after this many more reads of it, or at this moment,
    whichever comes first. A Droplet reads ``new`` and then ``active``, an action ``in-progress`` and then
    ``completed``."""

    reads: int
    deadline: float

    def read(self) -> bool:
        """Count one read; whether it has settled (from this read on)."""
        if self.reads > 0:
            self.reads -= 1
        return self.done()

    def done(self) -> bool:
        """Whether it has settled, without counting a read."""
        return self.reads == 0 or time.monotonic() >= self.deadline


@dataclass
class Action:
    id: int
    type: str
    resource_id: Any
    resource_type: str
    region_slug: str | None
    started_at: str
    progress: Progress
    completed_at: str | None = None
    #: The volume a volume action acted on (such actions show resource ``backend``, id 0, as real ones do).
    volume_id: str | None = None
    #: The Droplet an action keeps busy: its own actions', and a volume attach's or detach's.
    droplet_id: int | None = None


@dataclass
class Account:
    """Everything one account holds. A new Droplet, load balancer, firewall or action answers as still in
    progress until ``settle_reads`` reads of it (1: the create answer says ``new``, the next read ``active``)
    or ``settle_seconds``, whichever comes first."""

    settle_reads: int = 1
    settle_seconds: float = 3.0
    droplet_limit: int = 1000
    lock: threading.RLock = field(default_factory=threading.RLock)
    uuid: str = field(default_factory=lambda: str(uuid.uuid4()))
    droplets: dict[int, Any] = field(default_factory=dict)
    volumes: dict[str, Any] = field(default_factory=dict)
    load_balancers: dict[str, Any] = field(default_factory=dict)
    vpcs: dict[str, Any] = field(default_factory=dict)
    domains: dict[str, Any] = field(default_factory=dict)
    ssh_keys: dict[int, Any] = field(default_factory=dict)
    firewalls: dict[str, Any] = field(default_factory=dict)
    actions: dict[int, Action] = field(default_factory=dict)
    #: tag name -> nothing; which resources carry it is read from the resources themselves.
    tags: dict[str, None] = field(default_factory=dict)
    #: Private images (Droplet snapshots), by id.
    images: dict[int, dict[str, Any]] = field(default_factory=dict)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(random.randint(400_000_000, 450_000_000)))
    _public_in_use: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.regions = {r["slug"]: r for r in catalogue.regions()}
        self.sizes = {s["slug"]: s for s in catalogue.sizes()}
        self.public_images = catalogue.public_images()
        from kops_digitalocean.testing.do_api.vpcs import seed_default_vpcs

        seed_default_vpcs(self)

    # --- ids, progress ---------------------------------------------------------------------------------

    def next_id(self) -> int:
        """A fresh numeric id (Droplets, keys, records, actions, images share one sequence, as unique as real)."""
        return next(self._ids)

    def progress(self) -> Progress:
        return Progress(self.settle_reads, time.monotonic() + self.settle_seconds)

    # --- look-ups --------------------------------------------------------------------------------------

    def region(self, slug: Any, message: str) -> dict[str, Any]:
        """An available region by slug, or 422 with the caller's message."""
        found = self.regions.get(slug) if isinstance(slug, str) else None
        if found is None or not found["available"]:
            raise unprocessable(message)
        return found

    def image(self, ref: Any) -> dict[str, Any] | None:
        """A public or private image by slug or numeric id (``"123"`` counts as an id)."""
        if isinstance(ref, str) and ref.isdigit():
            ref = int(ref)
        for image in [*self.public_images, *self.images.values()]:
            if ref == image["id"] or (isinstance(ref, str) and ref == image.get("slug")):
                return image
        return None

    def vpc(self, vpc_id: Any) -> Any:
        found = self.vpcs.get(vpc_id) if isinstance(vpc_id, str) else None
        if found is None:
            raise not_found()
        return found

    def default_vpc(self, region: str) -> Any:
        return next(v for v in self.vpcs.values() if v.region == region and v.default)

    # --- addresses -------------------------------------------------------------------------------------

    def public_address(self) -> str:
        """A free public IPv4 address."""
        for cidr in _PUBLIC_RANGES:
            for host in ipaddress.ip_network(cidr).hosts():
                if str(host) not in self._public_in_use and not str(host).endswith(".1"):
                    self._public_in_use.add(str(host))
                    return str(host)
        raise unprocessable("no public IPv4 addresses are left in this region")

    def release_public_address(self, address: str | None) -> None:
        self._public_in_use.discard(address or "")

    def private_address(self, vpc: Any) -> str:
        """The lowest free address of a VPC's range, from .2 on (DigitalOcean keeps the first two)."""
        taken = {d.private_ip for d in self.droplets.values() if d.vpc_uuid == vpc.id}
        for index, host in enumerate(ipaddress.ip_network(vpc.ip_range).hosts()):
            if index >= 1 and str(host) not in taken:
                return str(host)
        raise unprocessable("This VPC has no free IP addresses left.")

    # --- tags ------------------------------------------------------------------------------------------

    @staticmethod
    def check_tag_names(names: list[str]) -> None:
        """422 on an invalid tag name, before anything is created."""
        for name in names:
            if not TAG_NAME.match(name):
                raise unprocessable(TAG_NAME_MESSAGE)

    def ensure_tags(self, names: list[str]) -> None:
        """Create the tags a resource is created with, as the real API does; 422 on an invalid name."""
        self.check_tag_names(names)
        for name in names:
            self.tags.setdefault(name, None)

    # --- actions ---------------------------------------------------------------------------------------

    def start_action(self, kind: str, resource_id: Any, resource_type: str, region: str | None) -> Action:
        action = Action(id=self.next_id(), type=kind, resource_id=resource_id, resource_type=resource_type,
                        region_slug=region, started_at=now(), progress=self.progress())
        self.actions[action.id] = action
        return action

    def action(self, action_id: Any) -> Action:
        try:
            found = self.actions.get(int(action_id))
        except (TypeError, ValueError):
            found = None
        if found is None:
            raise not_found()
        return found

    def action_done(self, action: Action, read: bool = False) -> bool:
        """Whether an action has completed (``read``: this look counts as a read of it)."""
        if (action.progress.read() if read else action.progress.done()) and action.completed_at is None:
            action.completed_at = now()
        return action.completed_at is not None

    def render_action(self, action: Action, read: bool = True) -> dict[str, Any]:
        """An action as the API shows it; a read moves it towards ``completed``."""
        done = self.action_done(action, read)
        return {"id": action.id, "status": "completed" if done else "in-progress", "type": action.type,
                "started_at": action.started_at, "completed_at": action.completed_at,
                "resource_id": action.resource_id, "resource_type": action.resource_type,
                "region": self.regions.get(action.region_slug or ""), "region_slug": action.region_slug}
