"""The fake's other Google APIs a GCE cluster uses: IAM service accounts, the project IAM policy (Resource
Manager) and Cloud DNS managed zones, read over plain REST as the discovery-based clients send it."""

from __future__ import annotations

import pytest
import requests
from kops_gce.testing.fakegce import FakeGCE

P = "kops-test"


@pytest.fixture
def url():
    with FakeGCE([P]) as fake:
        yield fake.url


def call(method, url, **kwargs):
    response = requests.request(method, url, timeout=10, **kwargs)
    return response.status_code, response.json()


def test_service_accounts_are_created_read_listed_and_deleted(url):
    accounts = f"{url}/v1/projects/{P}/serviceAccounts"
    code, made = call("POST", accounts, json={"accountId": "control-plane-a-example",
                                              "serviceAccount": {"displayName": "control-plane"}})
    assert code == 200
    assert made["email"] == f"control-plane-a-example@{P}.iam.gserviceaccount.com"
    assert made["name"] == f"projects/{P}/serviceAccounts/{made['email']}" and made["uniqueId"].isdigit()

    code, error = call("POST", accounts, json={"accountId": "control-plane-a-example"})
    assert (code, error["error"]["status"]) == (409, "ALREADY_EXISTS")
    assert "errors" not in error["error"]
    code, error = call("POST", accounts, json={"accountId": "Bad"})
    assert (code, error["error"]["status"]) == (400, "INVALID_ARGUMENT")

    assert call("GET", f"{accounts}/{made['email']}")[1]["displayName"] == "control-plane"
    assert call("GET", f"{url}/v1/projects/-/serviceAccounts/{made['uniqueId']}")[1]["email"] == made["email"]
    code, listed = call("GET", accounts)
    assert made["email"] in [a["email"] for a in listed["accounts"]]
    # A fresh project has Compute Engine's default service account.
    assert any(a["email"].endswith("-compute@developer.gserviceaccount.com") for a in listed["accounts"])

    assert call("DELETE", f"{accounts}/{made['email']}") == (200, {})
    code, error = call("GET", f"{accounts}/{made['email']}")
    assert (code, error["error"]["status"]) == (404, "NOT_FOUND")


@pytest.mark.parametrize("version", ["v1", "v3"])
def test_the_project_policy_is_read_modified_and_written_with_its_etag(url, version):
    project = f"{url}/{version}/projects/{P}"
    call("POST", f"{url}/v1/projects/{P}/serviceAccounts", json={"accountId": "nodes-a-example"})
    member = f"serviceAccount:nodes-a-example@{P}.iam.gserviceaccount.com"

    code, policy = call("POST", f"{project}:getIamPolicy", json={})
    assert code == 200 and policy["etag"]
    policy["bindings"].append({"role": "roles/compute.viewer", "members": [member]})
    code, written = call("POST", f"{project}:setIamPolicy", json={"policy": policy})
    assert code == 200 and written["etag"] != policy["etag"]
    assert {"role": "roles/compute.viewer", "members": [member]} in call(
        "POST", f"{project}:getIamPolicy", json={})[1]["bindings"]

    # A writer holding the old etag lost the race.
    code, error = call("POST", f"{project}:setIamPolicy", json={"policy": policy})
    assert (code, error["error"]["status"]) == (409, "ABORTED")
    written["bindings"].append({"role": "roles/viewer",
                                "members": [f"serviceAccount:nobody-here@{P}.iam.gserviceaccount.com"]})
    code, error = call("POST", f"{project}:setIamPolicy", json={"policy": written})
    assert (code, error["error"]["status"]) == (400, "INVALID_ARGUMENT")
    assert call("GET", project)[1]["projectId"] == P


def test_dns_zones_records_and_changes(url):
    zones = f"{url}/dns/v1/projects/{P}/managedZones"
    code, zone = call("POST", zones, json={"name": "example-com", "dnsName": "example.com.", "description": ""})
    assert code == 200 and zone["nameServers"]
    assert call("POST", zones, json={"name": "example-com", "dnsName": "example.com."})[0] == 409
    assert [z["name"] for z in call("GET", zones, params={"dnsName": "example.com."})[1]["managedZones"]] == [
        "example-com"]

    record = {"name": "api.a.example.com.", "type": "A", "ttl": 60, "rrdatas": ["203.0.113.10"]}
    code, change = call("POST", f"{zones}/example-com/changes", json={"additions": [record]})
    assert (code, change["status"]) == (200, "done")
    assert call("POST", f"{zones}/example-com/changes", json={"additions": [record]})[0] == 409
    records = call("GET", f"{zones}/example-com/rrsets")[1]["rrsets"]
    assert sorted(r["type"] for r in records) == ["A", "NS", "SOA"]

    code, error = call("DELETE", f"{zones}/example-com")
    assert (code, error["error"]["errors"][0]["reason"]) == (400, "containerNotEmpty")
    stale = dict(record, rrdatas=["203.0.113.11"])
    assert call("POST", f"{zones}/example-com/changes", json={"deletions": [stale]})[0] == 412
    assert call("POST", f"{zones}/example-com/changes", json={"deletions": [record]})[0] == 200
    assert call("DELETE", f"{zones}/example-com") == (200, {})
    assert call("GET", f"{zones}/example-com")[0] == 404
