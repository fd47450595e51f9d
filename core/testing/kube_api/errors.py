"""Errors as the real API server words them: a ``Status`` body with the same ``reason``, ``message`` and ``details``,
so a client's error handling is tested against what it will really meet."""

from __future__ import annotations

from typing import Any

from .kinds import Kind


class ApiError(Exception):
    """An error answer: the HTTP status, the ``Status`` reason and message, and optional ``details``."""

    def __init__(self, status: int, reason: str, message: str, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.status, self.reason, self.message, self.details = status, reason, message, details

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                "message": self.message}
        if self.reason:
            body["reason"] = self.reason
        if self.details:
            body["details"] = self.details
        body["code"] = self.status
        return body


def _details(kind: Kind, name: str) -> dict[str, Any]:
    return {"name": name, **({"group": kind.group} if kind.group else {}), "kind": kind.plural}


def not_found(kind: Kind, name: str) -> ApiError:
    return ApiError(404, "NotFound", f'{kind.resource} "{name}" not found', _details(kind, name))


def namespace_not_found(namespace: str) -> ApiError:
    return ApiError(404, "NotFound", f'namespaces "{namespace}" not found', {"name": namespace, "kind": "namespaces"})


def no_such_resource(path: str) -> ApiError:
    return ApiError(404, "NotFound", f"the server could not find the requested resource ({path})")


def already_exists(kind: Kind, name: str) -> ApiError:
    return ApiError(409, "AlreadyExists", f'{kind.resource} "{name}" already exists', _details(kind, name))


def conflict(kind: Kind, name: str, why: str) -> ApiError:
    return ApiError(409, "Conflict", f'Operation cannot be fulfilled on {kind.resource} "{name}": {why}',
                    _details(kind, name))


def modified(kind: Kind, name: str) -> ApiError:
    """A write based on an older ``resourceVersion`` than the stored one."""
    return conflict(kind, name, "the object has been modified; please apply your changes to the latest version "
                                "and try again")


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def invalid(kind: Kind, name: str, causes: list[tuple[str, str, str]]) -> ApiError:
    """A validation failure; each cause is (field, cause type such as ``FieldValueRequired``, message)."""
    texts = [f"{field}: {message}" for field, _, message in causes]
    shown = texts[0] if len(texts) == 1 else f"[{', '.join(texts)}]"
    prefix = f"{kind.kind}.{kind.group}" if kind.group else kind.kind
    return ApiError(422, "Invalid", f'{prefix} "{name}" is invalid: {shown}',
                    {**_details(kind, name), "kind": kind.kind,
                     "causes": [{"reason": cause, "message": message, "field": field}
                                for field, cause, message in causes]})


def success(kind: Kind, name: str, uid: str) -> dict[str, Any]:
    """The answer to a DELETE of a resource that does not return the deleted object."""
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
            "details": {**_details(kind, name), "uid": uid}}


def check_preconditions(kind: Kind, obj: dict[str, Any], preconditions: dict[str, Any]) -> None:
    """A delete's preconditions: the object must still be the one (``uid``) and version the client saw."""
    metadata = obj["metadata"]
    for field, shown in (("uid", "UID"), ("resourceVersion", "ResourceVersion")):
        wanted = preconditions.get(field)
        if wanted and wanted != metadata.get(field):
            raise conflict(kind, metadata["name"], f"Precondition failed: {shown} in precondition: {wanted}, "
                                                   f"{shown} in object meta: {metadata.get(field)}")
