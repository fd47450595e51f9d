"""One handle on the AWS APIs for a run: lazily made clients, a count of calls, the transient-error rule.

boto3 is imported only when the first client is made, so loading the plugin (which happens on every CLI
start) stays cheap. The endpoint comes from boto3's own configuration (``AWS_ENDPOINT_URL`` and friends),
which is how tests point everything at a local emulator.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from kops.engine.retry import CloudErrors

#: Error codes AWS uses for rate limiting; retried with backoff.
THROTTLING_CODES = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "RequestLimitExceeded", "RequestThrottled", "SlowDown",
    "PriorRequestNotComplete", "EC2ThrottledException", "BandwidthLimitExceeded",
    "ProvisionedThroughputExceededException",
})

#: Codes that mean "try again shortly": a service-side hiccup, or a resource another call is still settling.
RETRYABLE_CODES = frozenset({
    "InternalError", "InternalFailure", "ServiceUnavailable", "Unavailable", "RequestTimeout",
    "RequestTimeoutException", "IncorrectState", "DependencyViolation", "ResourceInUse",
    # A volume stays attached for a while after its instance starts shutting down.
    "VolumeInUse",
    # IAM: a role or profile created a moment ago is not yet visible to EC2 and Auto Scaling.
    "InvalidParameterValue.InstanceProfile", "ConcurrentModification", "ConcurrentModificationException",
})

#: Code suffixes of "not found" errors that, right after a create, only mean AWS is eventually consistent.
NOT_FOUND_SUFFIXES = (".NotFound", "NotFound", ".Malformed.NotFound")

#: The services a run may use, by the attribute name this module gives their clients.
SERVICES = {
    "ec2": "ec2", "elbv2": "elbv2", "iam": "iam", "autoscaling": "autoscaling", "route53": "route53",
    "sqs": "sqs", "events": "events", "s3": "s3", "sts": "sts",
}


class NotYetVisible(Exception):
    """A resource this run created is not visible to reads yet (AWS is eventually consistent): try again."""


class AWSApi:
    """The AWS clients for one region, made on first use (from any thread) and shared by a run's tasks."""

    def __init__(self, region: str):
        self.region = region
        #: API calls made so far, by ``service.Operation`` (``ec2.DescribeVpcs``): what benchmarks count.
        self.calls: Counter[str] = Counter()
        self._calls_lock = threading.Lock()
        self._lock = threading.Lock()
        self._session: Any = None
        self._clients: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"AWSApi(region={self.region!r})"

    def client(self, service: str) -> Any:
        """The boto3 client for ``service`` (a key of :data:`SERVICES`)."""
        client = self._clients.get(service)
        if client is not None:
            return client
        with self._lock:  # boto3 sessions are not thread-safe; making clients is serialised
            if service not in self._clients:
                self._clients[service] = self._make_client(service)
            return self._clients[service]

    def _make_client(self, service: str) -> Any:
        import boto3
        from botocore.config import Config

        if self._session is None:
            self._session = boto3.session.Session()
        # The engine retries transient errors itself with a deadline; boto3's own retries stay modest.
        # A short connect timeout: an endpoint that does not answer is named within seconds (kops.engine.retry).
        config = Config(retries={"mode": "standard", "max_attempts": 3}, max_pool_connections=32,
                        connect_timeout=5)
        client = self._session.client(SERVICES[service], region_name=self.region, config=config)

        def count(model: Any, **_: Any) -> None:
            with self._calls_lock:
                self.calls[f"{service}.{model.name}"] += 1

        client.meta.events.register("before-call.*.*", count)
        return client

    @property
    def ec2(self) -> Any:
        return self.client("ec2")

    @property
    def elbv2(self) -> Any:
        return self.client("elbv2")

    @property
    def iam(self) -> Any:
        return self.client("iam")

    @property
    def autoscaling(self) -> Any:
        return self.client("autoscaling")

    @property
    def route53(self) -> Any:
        return self.client("route53")

    @property
    def sqs(self) -> Any:
        return self.client("sqs")

    @property
    def events(self) -> Any:
        return self.client("events")

    @property
    def s3(self) -> Any:
        return self.client("s3")

    @property
    def sts(self) -> Any:
        return self.client("sts")


#: Error codes that mean the credentials were refused (missing ones raise NoCredentialsError before any call).
REFUSED_CREDENTIAL_CODES = frozenset({
    "AuthFailure", "InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException", "ExpiredToken",
    "ExpiredTokenException", "InvalidAccessKeyId", "InvalidToken", "RequestExpired",
})
#: How a user gives kops AWS credentials.
CREDENTIALS_HELP = ("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones), "
                    "or AWS_PROFILE, or run 'aws configure'")


class AWSErrors(CloudErrors):
    """How AWS's errors read, for every AWS call a run makes (see :mod:`kops.engine.retry`)."""

    def transient(self, exc: BaseException) -> bool:
        """Throttling, 5xx, and the "not found" errors AWS returns for a resource created moments ago (eventual
        consistency); an unparseable response is what an overloaded endpoint's HTML error page becomes."""
        if isinstance(exc, NotYetVisible):
            return True
        code = error_code(exc)
        if code is not None:
            if code in THROTTLING_CODES or code in RETRYABLE_CODES:
                return True
            if code.endswith(NOT_FOUND_SUFFIXES):
                return True
            status = getattr(exc, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode")
            return isinstance(status, int) and status >= 500
        from botocore.exceptions import HTTPClientError
        from botocore.parsers import ResponseParserError

        return isinstance(exc, HTTPClientError | ResponseParserError)

    def unreachable(self, exc: BaseException) -> str | None:
        """The endpoint of a connection that was refused, did not resolve, timed out or was lost."""
        from botocore.exceptions import ConnectionError as BotoConnectionError

        if isinstance(exc, BotoConnectionError):
            return str(getattr(exc, "kwargs", {}).get("endpoint_url") or "the AWS endpoint")
        return None

    def explain(self, exc: BaseException) -> str | None:
        from botocore.exceptions import NoCredentialsError, PartialCredentialsError, ProfileNotFound

        if isinstance(exc, NoCredentialsError | PartialCredentialsError):
            return f"no AWS credentials were found: {CREDENTIALS_HELP}"
        if isinstance(exc, ProfileNotFound):
            return f"{exc}: {CREDENTIALS_HELP}"
        code = error_code(exc)
        if code in REFUSED_CREDENTIAL_CODES:
            message = getattr(exc, "response", {}).get("Error", {}).get("Message", "")
            return f"AWS refused the credentials ({code}: {message}): {CREDENTIALS_HELP}"
        return None


AWS_ERRORS = AWSErrors()


def error_code(exc: BaseException) -> str | None:
    """The AWS error code of a botocore ``ClientError`` (``InvalidVpcID.NotFound``), else None."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None
    code = response.get("Error", {}).get("Code")
    return str(code) if code else None
