"""The error answers of the DigitalOcean v2 API: an HTTP status and a body ``{"id": ..., "message": ...}``
(plus a ``request_id``), with the ids and messages the real API sends."""

from __future__ import annotations

NOT_FOUND_MESSAGE = "The resource you were accessing could not be found."
UNAUTHORIZED_MESSAGE = "Unable to authenticate you"
RATE_LIMITED_MESSAGE = "API Rate limit exceeded."


class ApiError(Exception):
    """An answer other than success; raised anywhere in a handler, turned into the JSON error body."""

    def __init__(self, status: int, error_id: str, message: str):
        super().__init__(message)
        self.status = status
        self.error_id = error_id
        self.message = message


def not_found() -> ApiError:
    return ApiError(404, "not_found", NOT_FOUND_MESSAGE)


def unprocessable(message: str) -> ApiError:
    return ApiError(422, "unprocessable_entity", message)


def conflict(message: str) -> ApiError:
    return ApiError(409, "conflict", message)


def forbidden(message: str) -> ApiError:
    return ApiError(403, "forbidden", message)


def bad_request(message: str) -> ApiError:
    return ApiError(400, "bad_request", message)
