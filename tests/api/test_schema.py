"""The JSON Schema lets an editor check a manifest the same way kops does."""

import copy

import jsonschema
import pytest
import yaml
from kops.api.schema import json_schema, manifest_schema
from kops.errors import KopsError
from kops.testing import upstream
from upstream_fixtures import manifest_id, upstream_manifests


def documents(case: str) -> list[dict]:
    text = (upstream.require() / "update_cluster" / case / "in-v1alpha2.yaml").read_text()
    return [doc for doc in yaml.safe_load_all(text) if doc]


def validator(schema: dict) -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="module")
def validators() -> dict[str, jsonschema.Draft202012Validator]:
    return {kind: validator(json_schema(kind)) for kind in ("Cluster", "InstanceGroup")}


@pytest.mark.parametrize("path", upstream_manifests(), ids=manifest_id)
def test_fixture_documents_are_valid(path, validators):
    docs = [doc for doc in yaml.safe_load_all(path.read_text()) if doc and doc["kind"] in validators]
    assert docs
    for doc in docs:
        assert [error.message for error in validators[doc["kind"]].iter_errors(doc)] == []


def test_unknown_field_is_rejected():
    cluster = documents("complex")[0]
    broken = copy.deepcopy(cluster)
    broken["spec"]["kubernetesVersin"] = broken["spec"].pop("kubernetesVersion")
    errors = list(validator(json_schema("Cluster")).iter_errors(broken))
    assert any("kubernetesVersin" in error.message for error in errors)


def test_wrong_type_is_rejected_where_it_is():
    cluster = documents("complex")[0]
    cluster["spec"]["subnets"][0]["cidr"] = 17
    error = jsonschema.exceptions.best_match(validator(json_schema("Cluster")).iter_errors(cluster))
    assert list(error.absolute_path) == ["spec", "subnets", 0, "cidr"]


def test_int_or_string_and_quantities_accept_both_forms():
    ig = documents("complex")[1]
    check = validator(json_schema("InstanceGroup"))
    for value in (1, "25%"):
        ig["spec"]["rollingUpdate"] = {"maxSurge": value}
        assert list(check.iter_errors(ig)) == []
    ig["spec"]["rollingUpdate"] = {"maxSurge": True}
    assert list(check.iter_errors(ig)) != []


def test_kind_and_api_version_are_required():
    ig = documents("complex")[1]
    del ig["kind"]
    assert list(validator(json_schema("InstanceGroup")).iter_errors(ig)) != []


def test_manifest_schema_checks_each_document_by_kind():
    check = validator(manifest_schema())
    docs = documents("additionalobjects")
    assert all(list(check.iter_errors(doc)) == [] for doc in docs)
    ig = next(doc for doc in docs if doc["kind"] == "InstanceGroup")
    ig["spec"]["minSize"] = "1"
    assert list(check.iter_errors(ig)) != []


def test_unknown_kind():
    with pytest.raises(KopsError, match="no schema for kind 'Keyset'"):
        json_schema("Keyset")
