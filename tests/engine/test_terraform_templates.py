"""Files with placeholders become ``templatefile`` calls that fill in only the named placeholders."""

from __future__ import annotations

import re

import hcl2
from kops.engine import Expr
from kops.engine.targets.terraform import TerraformWriter


def terraform_renders(template: str, values: dict[str, str]) -> str:
    """What Terraform's templatefile makes of ``template``: escapes undone, ``${name}`` interpolated; any
    other directive (an unescaped ``${...}`` or ``%{...}``) would be a template error."""
    def interpolate(m: re.Match[str]) -> str:
        if m.group(0) in ("$${", "%%{"):
            return m.group(0)[1:]
        name = m.group(1)
        assert name in values, f"Terraform would fail: {m.group(0)!r} is not a template variable"
        return values[name]

    return re.sub(r"\$\$\{|%%\{|\$\{([^}]*)\}|%\{[^}]*\}", interpolate, template)


def test_only_the_named_placeholders_are_filled_in() -> None:
    tf = TerraformWriter()
    manifest = ('value: https://sqs.us-east-1.amazonaws.com/${aws_account_id}/queue\n'
                'script: echo ${HOME} %{ if x }\n')
    ref = tf.template_ref("aws_s3_object", "nth", "content", manifest.encode(),
                          {"aws_account_id": Expr("data.aws_caller_identity.current.account_id")})
    files = tf.render()
    template = files["data/aws_s3_object_nth_content"].decode()
    assert terraform_renders(template, {"aws_account_id": "123456789012"}) == manifest.replace(
        "${aws_account_id}", "123456789012")
    assert ref.text == ('templatefile("${path.module}/data/aws_s3_object_nth_content", '
                        '{ aws_account_id = data.aws_caller_identity.current.account_id })')


def test_the_call_is_valid_hcl() -> None:
    tf = TerraformWriter()
    ref = tf.template_ref("aws_sqs_queue", "q", "policy", '{"Resource": "arn:aws:sqs:r:${aws_account_id}:q"}',
                          {"aws_account_id": Expr("data.aws_caller_identity.current.account_id")})
    tf.add_resource("aws_sqs_queue", "q", {"policy": ref})
    parsed = hcl2.loads(tf.render()["kubernetes.tf"].decode())
    policy = parsed["resource"][0]['"aws_sqs_queue"']['"q"']["policy"]
    assert policy.startswith("${templatefile(") and "aws_account_id = data.aws_caller_identity" in policy
