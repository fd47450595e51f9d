"""``do://bucket[/prefix]``: the state store in a DigitalOcean Spaces bucket, in upstream kOps's layout.

Spaces speaks S3's API, so this is the ``s3://`` store (:class:`kops_aws.s3store.S3StateStore`, with its
conditional writes, commits, history and leases) pointed at Spaces through upstream kOps's variables:

``S3_ENDPOINT``
    the bucket's region endpoint: a host (``nyc3.digitaloceanspaces.com``, reached over HTTPS) or a full URL
``S3_ACCESS_KEY_ID``, ``S3_SECRET_ACCESS_KEY``
    a Spaces access key
``S3_REGION``
    the region requests are signed for; us-east-1 without it, as upstream

Nothing else configures it: the AWS credential chain (``AWS_ACCESS_KEY_ID``, profiles, instance metadata) is
never asked and AWS's config and credentials files are not read, so a developer's AWS keys are never sent to
DigitalOcean, missing Spaces keys are an error rather than a silent fallback, and an ``AWS_PROFILE`` meant for
AWS cannot break the store. ``AWS_ENDPOINT_URL`` and ``AWS_REGION`` do not apply either.

What differs from S3, as in upstream kOps: path-style addressing (the bucket in the path), and secret material
is written without the SSE-S3 header (upstream sends none to Spaces); objects stay private to the key's owner,
since no ACL is sent. Checksums are computed only where the API requires them: the CRC32 headers recent boto3
sends by default are an AWS extension that S3-compatible services may refuse.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from kops.errors import KopsError
from kops_aws.awsapi import REFUSED_CREDENTIAL_CODES, error_code
from kops_aws.s3store import S3StateStore

#: The variables upstream kOps reads for Spaces; all but the region are required.
ENDPOINT = "S3_ENDPOINT"
ACCESS_KEY_ID = "S3_ACCESS_KEY_ID"
SECRET_ACCESS_KEY = "S3_SECRET_ACCESS_KEY"
REGION = "S3_REGION"
#: How a user gives kops a Spaces access key.
CREDENTIALS_HELP = f"set {ACCESS_KEY_ID} and {SECRET_ACCESS_KEY} to a Spaces access key"
#: How a user names the bucket's endpoint.
ENDPOINT_HELP = f"set {ENDPOINT} to the bucket's region endpoint, such as nyc3.digitaloceanspaces.com"


class SpacesStateStore(S3StateStore):
    scheme = "do"
    service = "Spaces"
    access_help = f"check {ACCESS_KEY_ID} and {SECRET_ACCESS_KEY}, and that the key may use this bucket"
    encrypt_private = False

    def session(self) -> Any:
        """A boto3 session that reads no AWS profile, config file or credentials file."""
        import boto3
        import botocore.session

        core = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
        core.set_config_variable("config_file", os.devnull)
        core.set_config_variable("credentials_file", os.devnull)
        return boto3.session.Session(botocore_session=core)

    def client_args(self) -> dict[str, Any]:
        """The S3 store's settings, with the endpoint, key and region from upstream's variables alone."""
        from botocore.config import Config

        missing = [name for name in (ENDPOINT, ACCESS_KEY_ID, SECRET_ACCESS_KEY) if not os.environ.get(name)]
        if missing:
            fix = CREDENTIALS_HELP + (f", and {ENDPOINT_HELP}" if ENDPOINT in missing else "")
            raise KopsError(f"state store {self.url}: {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} "
                            f"not set: {fix}")
        args = super().client_args()
        return {**args,
                "endpoint_url": self._endpoint_url(os.environ[ENDPOINT]),
                "region_name": os.environ.get(REGION) or "us-east-1",
                "aws_access_key_id": os.environ[ACCESS_KEY_ID],
                "aws_secret_access_key": os.environ[SECRET_ACCESS_KEY],
                "config": args["config"].merge(Config(s3={"addressing_style": "path"},
                                                      request_checksum_calculation="when_required",
                                                      response_checksum_validation="when_required"))}

    def _endpoint_url(self, value: str) -> str:
        """``S3_ENDPOINT`` as a URL: a bare host means HTTPS, as upstream's SDK takes it."""
        url = value.strip()
        if "://" not in url:
            url = f"https://{url}"
        parts = urlsplit(url)
        try:
            port_ok = parts.port is None or parts.port > 0
        except ValueError:  # not a number, or out of range
            port_ok = False
        if not (port_ok and parts.scheme in ("http", "https") and parts.hostname and not any(c.isspace() for c in url)):
            raise KopsError(f"state store {self.url}: {ENDPOINT}={value!r} is not an endpoint: {ENDPOINT_HELP} "
                            "(or a URL such as https://nyc3.digitaloceanspaces.com)")
        return url

    def explain(self, exc: BaseException) -> str | None:
        """Refused keys and an endpoint that cannot be reached (refused, unresolvable, timed out, TLS failed), each
        naming the variable to fix."""
        from botocore.exceptions import ConnectionError as BotoConnectionError

        if isinstance(exc, BotoConnectionError):
            return f"cannot reach the Spaces endpoint {os.environ.get(ENDPOINT)!r} ({exc}): check {ENDPOINT}"
        code = error_code(exc)
        if code in REFUSED_CREDENTIAL_CODES:
            message = getattr(exc, "response", {}).get("Error", {}).get("Message")
            return f"Spaces refused the access key ({code}{': ' + message if message else ''}): {CREDENTIALS_HELP}"
        return None
