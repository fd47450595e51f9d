"""SSH keys (``account/keys``): create, list, get, rename and delete, by id or by fingerprint (the MD5
fingerprint DigitalOcean shows, ``aa:bb:...``).

A key that does not parse is refused as the real API refuses it (``Fingerprint could not be generated``),
and so is one already on the account.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass
from typing import Any

from kops_digitalocean.testing.do_api.account import Account
from kops_digitalocean.testing.do_api.errors import not_found, unprocessable
from kops_digitalocean.testing.do_api.messages import NO_CONTENT, Reply, Request
from kops_digitalocean.testing.do_api.pages import paginate

_KEY_TYPES = ("ssh-rsa", "ssh-ed25519", "ssh-dss", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
              "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com")
INVALID_KEY_MESSAGE = "Fingerprint could not be generated, please make sure your key is valid"


@dataclass
class SSHKey:
    id: int
    name: str
    public_key: str
    fingerprint: str


def render(key: SSHKey) -> dict[str, Any]:
    return {"id": key.id, "fingerprint": key.fingerprint, "public_key": key.public_key, "name": key.name}


def fingerprint(public_key: Any) -> str:
    """The MD5 fingerprint of an OpenSSH public key line; 422 when it is not one."""
    parts = public_key.split() if isinstance(public_key, str) else []
    if len(parts) < 2 or parts[0] not in _KEY_TYPES:
        raise unprocessable(INVALID_KEY_MESSAGE)
    try:
        blob = base64.b64decode(parts[1], validate=True)
        (length,) = struct.unpack(">I", blob[:4])
        if blob[4:4 + length].decode() != parts[0]:
            raise ValueError
    except (binascii.Error, struct.error, UnicodeDecodeError, ValueError):
        raise unprocessable(INVALID_KEY_MESSAGE) from None
    digest = hashlib.md5(blob).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def get(account: Account, ref: str) -> SSHKey:
    """A key by id or fingerprint."""
    if ref.isdigit():
        found = account.ssh_keys.get(int(ref))
    else:
        found = next((k for k in account.ssh_keys.values() if k.fingerprint == ref), None)
    if found is None:
        raise not_found()
    return found


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise unprocessable("Name is required")
    if len(value) > 255:
        raise unprocessable("Name is too long (maximum is 255 characters)")
    return value


def create(account: Account, req: Request) -> Reply:
    name = _name(req.body.get("name"))
    public_key = req.body.get("public_key")
    printed = fingerprint(public_key)
    if any(k.fingerprint == printed for k in account.ssh_keys.values()):
        raise unprocessable("SSH Key is already in use on your account")
    key = SSHKey(id=account.next_id(), name=name, public_key=public_key.strip(), fingerprint=printed)
    account.ssh_keys[key.id] = key
    return Reply(201, {"ssh_key": render(key)})


def list_keys(account: Account, req: Request) -> Reply:
    return Reply(200, paginate(req, "ssh_keys", sorted(account.ssh_keys.values(), key=lambda k: k.id), render))


def show(account: Account, req: Request, ref: str) -> Reply:
    return Reply(200, {"ssh_key": render(get(account, ref))})


def update(account: Account, req: Request, ref: str) -> Reply:
    key = get(account, ref)
    key.name = _name(req.body.get("name"))
    return Reply(200, {"ssh_key": render(key)})


def delete(account: Account, req: Request, ref: str) -> Reply:
    del account.ssh_keys[get(account, ref).id]
    return NO_CONTENT


ROUTES = [
    ("GET", r"account/keys", list_keys),
    ("POST", r"account/keys", create),
    ("GET", r"account/keys/(?P<ref>[^/]+)", show),
    ("PUT", r"account/keys/(?P<ref>[^/]+)", update),
    ("DELETE", r"account/keys/(?P<ref>[^/]+)", delete),
]
