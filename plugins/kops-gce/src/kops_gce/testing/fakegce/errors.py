"""Errors as Google's APIs shape them.

Compute Engine (and Cloud DNS) answer ``{"error": {"code", "message", "errors": [{"reason", "domain",
"message"}], "status"}}``; the newer APIs (IAM, Resource Manager) leave out ``errors``. Some Compute failures
are not answered at once but put inside the operation the call returns (``error.errors[].code`` in upper
case, ``httpErrorStatusCode``): :class:`OperationFailure` carries those.
"""

from __future__ import annotations

from typing import Any

#: The canonical status names by HTTP code.
_STATUS = {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 409: "ALREADY_EXISTS",
           412: "FAILED_PRECONDITION", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}
#: The HTTP reason phrase an operation reports in ``httpErrorMessage``.
_PHRASE = {400: "BAD REQUEST", 404: "NOT FOUND", 409: "CONFLICT", 412: "PRECONDITION FAILED"}


class ApiError(Exception):
    """An error answered at once, with its HTTP code, reason and (optionally) a status other than the code's."""

    def __init__(self, code: int, reason: str, message: str, status: str | None = None,
                 domain: str = "global"):
        super().__init__(message)
        self.code, self.reason, self.message, self.domain = code, reason, message, domain
        self.status = status or _STATUS.get(code, "UNKNOWN")

    def body(self, with_errors: bool = True) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if with_errors:
            error["errors"] = [{"message": self.message, "domain": self.domain, "reason": self.reason}]
        error["status"] = self.status
        return {"error": error}


class OperationFailure(Exception):
    """A failure Compute reports inside the operation (the call itself answers 200)."""

    def __init__(self, http_code: int, code: str, message: str):
        super().__init__(message)
        self.http_code, self.code, self.message = http_code, code, message

    def fields(self) -> dict[str, Any]:
        return {"error": {"errors": [{"code": self.code, "message": self.message}]},
                "httpErrorStatusCode": self.http_code,
                "httpErrorMessage": _PHRASE.get(self.http_code, "ERROR")}


def not_found(path: str) -> ApiError:
    return ApiError(404, "notFound", f"The resource '{path}' was not found")


def already_exists(path: str) -> ApiError:
    return ApiError(409, "alreadyExists", f"The resource '{path}' already exists")


def invalid(message: str, reason: str = "invalid") -> ApiError:
    return ApiError(400, reason, message)


def invalid_field(field: str, value: Any, why: str) -> ApiError:
    return invalid(f"Invalid value for field '{field}': '{value}'. {why}")


def required(field: str) -> ApiError:
    return ApiError(400, "required", f"Required field '{field}' not specified")


def bad_reference(field: str, value: str, what: str) -> ApiError:
    return invalid_field(field, value, f"The referenced {what} resource cannot be found.")


def condition_not_met(message: str) -> ApiError:
    return ApiError(412, "conditionNotMet", message)


def in_use_message(kind: str, path: str, user: str) -> str:
    return f"The {kind} resource '{path}' is already being used by '{user}'"


def in_use(kind: str, path: str, user: str) -> ApiError:
    return ApiError(400, "resourceInUseByAnotherResource", in_use_message(kind, path, user))


def unavailable() -> ApiError:
    return ApiError(503, "backendError", "Internal error. Please try again or contact Google Support.")


def rate_limited(project: str) -> ApiError:
    return ApiError(429, "rateLimitExceeded",
                    "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service "
                    f"'compute.googleapis.com' for consumer 'project:{project}'.", domain="usageLimits")
