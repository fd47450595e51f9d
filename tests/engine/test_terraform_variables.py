"""Terraform input variables: values no data source can look up are asked of the user, never fetched."""

from __future__ import annotations

import hcl2
from kops.engine.targets.terraform import TerraformWriter


def test_variable_is_declared_and_referenced():
    tf = TerraformWriter()
    ref = tf.add_variable("gateway_id", "ID of the gateway")
    tf.add_resource("aws_route", "r", {"gateway_id": ref})
    text = tf.render()["kubernetes.tf"].decode()
    parsed = hcl2.loads(text)
    [declared] = parsed["variable"]
    assert declared["\"gateway_id\""]["description"].strip("\"") == "ID of the gateway"
    assert "var.gateway_id" in text
