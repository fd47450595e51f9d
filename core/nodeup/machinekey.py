"""A machine key proof: how a machine proves who it is on a cloud that signs nothing for it.

OpenStack, DigitalOcean and vSphere give a machine no signed identity document (AWS has STS, GCE identity tokens).
Upstream trusts the machine ID a request names and checks the request's address or calls the machine back. kops
does better with little: when a cloud plugin makes a machine it gives it a random key (:func:`new_key`), kept where
only the cloud's API and the machine itself can read it (OpenStack server metadata, a DigitalOcean tag, a vSphere
VM's guestinfo), never in user data, plans or the state store. The machine signs each request with the key: an
HMAC-SHA256 over its ID, the time and the SHA-256 of the request's body (:func:`sign`). The node credential service
reads the key of the named machine from the cloud's API and checks the signature and its age (:func:`check`), then
the machine's group as the cloud records it (:func:`check_group`).

The ``Authorization`` header is ``<scheme> <machine ID> <unix seconds> <hex HMAC>``; each cloud has its scheme
word (``x-openstack-key``...). This module is on both sides (``kops nodeup`` and ``kops controller serve`` on
machines), so it uses the standard library alone.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

from kops.cloud import NodeIdentityRefused
from kops.model import BASTION, role_of

#: How long a proof is good for, either way (clocks on machines drift a little).
MAX_AGE = 300


def new_key() -> str:
    """A machine's key: 256 random bits, in hex (fits every cloud's tag and metadata alphabets)."""
    return secrets.token_hex(32)


def _mac(key: str, machine_id: str, signed_at: int, body: bytes) -> str:
    message = f"{machine_id}\n{signed_at}\n{hashlib.sha256(body).hexdigest()}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def sign(scheme: str, machine_id: str, key: str, body: bytes, now: float | None = None) -> str:
    """The ``Authorization`` value proving that the machine ``machine_id``, holding ``key``, sends ``body`` now."""
    signed_at = int(time.time() if now is None else now)
    return f"{scheme} {machine_id} {signed_at} {_mac(key, machine_id, signed_at, body)}"


@dataclass(frozen=True)
class Claim:
    """What a proof says before it is checked: the machine it names, when it was signed, the signature."""

    machine_id: str
    signed_at: int
    mac: str


def parse(scheme: str, authorization: str) -> Claim:
    """The claim in an ``Authorization`` value of ``scheme``, or :class:`NodeIdentityRefused` if malformed."""
    parts = authorization.split(" ")
    if len(parts) != 4 or parts[0] != scheme:
        raise NodeIdentityRefused(f"the proof is not {scheme} <machine ID> <time> <signature>")
    machine_id, signed_at, mac = parts[1:]
    if not signed_at.isdigit() or len(mac) != 64 or not machine_id:
        raise NodeIdentityRefused(f"the {scheme} proof's time or signature is malformed")
    return Claim(machine_id, int(signed_at), mac)


def check(claim: Claim, key: str | None, body: bytes, now: float | None = None) -> None:
    """Refuse (:class:`NodeIdentityRefused`, saying why) a claim not signed with ``key`` (the machine's, read from the
    cloud; None when the machine has none) for ``body``, or signed more than :data:`MAX_AGE` seconds away."""
    if not key:
        raise NodeIdentityRefused(f"machine {claim.machine_id} has no machine key (not made by kops for a cluster)")
    if not hmac.compare_digest(_mac(key, claim.machine_id, claim.signed_at, body), claim.mac):
        raise NodeIdentityRefused(f"the proof for machine {claim.machine_id} is not signed with its key, or not for "
                                  "this request's body")
    age = int(time.time() if now is None else now) - claim.signed_at
    if abs(age) > MAX_AGE:
        when = f"{age}s ago" if age > 0 else f"{-age}s in the future"
        raise NodeIdentityRefused(f"the proof was signed {when}, outside the five minutes a proof is good for "
                                  "(replayed, or the machine's clock is wrong)")


def check_group(cluster_name: str, groups: dict[str, dict[str, Any]], machine_id: str, claimed: str,
                recorded: str) -> None:
    """Refuse a machine asking for a group other than the one the cloud records for it (``recorded``), a group the
    cluster does not have, or a bastion group (bastions are not nodes)."""
    group = groups.get(claimed)
    if group is None:
        raise NodeIdentityRefused(f"{machine_id} asks for instance group {claimed!r}, which cluster {cluster_name} "
                                  "does not have")
    if recorded != claimed:
        raise NodeIdentityRefused(f"machine {machine_id} is in instance group {recorded or '(none)'}, not {claimed}")
    if role_of(group) == BASTION:
        raise NodeIdentityRefused(f"machine {machine_id} is a bastion; bastions do not join the cluster")
