"""The AWS account a cluster lives in: named by ARNs and queue URLs, but held by no spec field.

Where an account ID belongs (a queue policy's ARN, the node termination handler's queue URL), kops
writes :data:`ACCOUNT_PLACEHOLDER` instead. The direct target fills it in from STS, once per run;
Terraform output fills it in with ``templatefile`` and the ``aws_caller_identity`` data source, so
generating Terraform still makes no AWS call.
"""

from __future__ import annotations

from typing import Any

#: The account fact's name, as kops writes it into policies and boot files: ``${aws_account_id}``.
ACCOUNT_FACT = "aws_account_id"
ACCOUNT_PLACEHOLDER = "${" + ACCOUNT_FACT + "}"


def account_id(ctx: Any) -> str:
    """The AWS account the run works in (asked of STS once per run)."""
    return ctx.client("sts:account", lambda: ctx.cloud.sts.get_caller_identity()["Account"])


def terraform_account(tf: Any) -> dict[str, Any]:
    """``templatefile`` variables that fill the placeholder from the ``aws_caller_identity`` data source."""
    from kops.engine import Expr

    tf.add_data_source("aws_caller_identity", "current", {})
    return {ACCOUNT_FACT: Expr("data.aws_caller_identity.current.account_id")}
