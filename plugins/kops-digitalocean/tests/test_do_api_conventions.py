"""What every answer of the fake API shares with the real one: rate-limit headers and the hourly limit, JSON
errors, and the transient failures and timings a fault test sets through the environment."""

from __future__ import annotations

import digitalocean
import pytest
import requests
from do_kit import OTHER_PUBLIC_KEY, PUBLIC_KEY, droplet, loaded
from kops_digitalocean.testing.do_api import FakeDigitalOcean

_LIMIT_HEADERS = ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset")


def _get(fake: FakeDigitalOcean, path: str, token: str | None = None) -> requests.Response:
    return requests.get(fake.base_url + path, headers={"Authorization": f"Bearer {token or fake.token}"}, timeout=10)


def test_every_answer_carries_the_rate_limit_headers(fake, manager):
    answers = [_get(fake, "account"), _get(fake, "droplets/1"), _get(fake, "account", token="wrong")]
    assert [a.status_code for a in answers] == [200, 404, 401]
    for answer in answers:
        assert all(answer.headers[h].isdigit() for h in _LIMIT_HEADERS)
        assert answer.headers["content-type"].startswith("application/json")
    assert answers[2].json()["id"] == "unauthorized"
    remaining = [int(a.headers["ratelimit-remaining"]) for a in answers]
    assert remaining == sorted(remaining, reverse=True) and remaining[0] < 5000
    manager.get_all_regions()
    assert manager.ratelimit_limit == "5000" and int(manager.ratelimit_remaining) < remaining[-1]


def test_the_hourly_limit_answers_429_until_it_resets():
    with FakeDigitalOcean(rate_limit=2) as fake:
        answers = [_get(fake, "account") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert [a.headers["ratelimit-remaining"] for a in answers] == ["1", "0", "0"]
    assert {k: answers[2].json()[k] for k in ("id", "message")} == {
        "id": "too_many_requests", "message": "API Rate limit exceeded."}
    assert int(answers[2].headers["retry-after"]) > 0


def test_a_failure_rate_from_the_environment_fails_calls_before_they_take_effect(monkeypatch):
    monkeypatch.setenv("KOPS_FAKE_DO_FAIL_RATE", "1")
    with FakeDigitalOcean() as fake:
        for name, value in fake.environ().items():
            monkeypatch.setenv(name, value)
        with pytest.raises(digitalocean.DataReadError) as failed:
            droplet()
        assert str(failed.value) in ("API Rate limit exceeded.", "Unexpected server-side error",
                                     "The service is temporarily unavailable. Please try again later.")
        assert fake.account.droplets == {} and fake.failed == 1


def test_a_share_of_calls_fails_transiently_and_a_retrying_client_gets_through():
    with FakeDigitalOcean(fail_rate=0.3, seed=7) as fake:
        statuses = [_get(fake, "regions").status_code for _ in range(200)]
        failures = [s for s in statuses if s != 200]
        assert set(failures) == {429, 500, 503}
        assert 0.15 < len(failures) / len(statuses) < 0.45 and fake.failed == len(failures)
        for _ in range(20):  # a client that retries transient errors creates the Droplet exactly once
            answer = requests.post(fake.base_url + "droplets", timeout=10, headers={
                "Authorization": f"Bearer {fake.token}"}, json={
                "name": "n.example.com", "region": "nyc1", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64"})
            if answer.status_code not in (429, 500, 503):
                break
        assert answer.status_code == 202 and len(fake.account.droplets) == 1


def test_settling_takes_the_reads_the_environment_asks_for(monkeypatch):
    monkeypatch.setenv("KOPS_FAKE_DO_SETTLE_READS", "3")
    with FakeDigitalOcean() as fake:
        for name, value in fake.environ().items():
            monkeypatch.setenv(name, value)
        made = droplet()
        manager = digitalocean.Manager()
        assert [manager.get_droplet(made.id).status for _ in range(4)] == ["new", "new", "active", "active"]


def test_settling_also_comes_with_time():
    with FakeDigitalOcean(settle_reads=100, settle_seconds=0) as fake:
        answer = requests.post(fake.base_url + "droplets", headers={"Authorization": f"Bearer {fake.token}"},
                               timeout=10, json={"name": "n.example.com", "region": "nyc1", "size": "s-1vcpu-1gb",
                                                 "image": "debian-12-x64"}).json()
        assert answer["droplet"]["status"] == "new"
        assert _get(fake, f"droplets/{answer['droplet']['id']}").json()["droplet"]["status"] == "active"
        assert _get(fake, f"actions/{answer['links']['actions'][0]['id']}").json()["action"]["status"] == "completed"


def test_a_body_that_is_not_json_is_a_bad_request(fake):
    answer = requests.post(fake.base_url + "droplets", data="{not json", timeout=10,
                           headers={"Authorization": f"Bearer {fake.token}", "Content-Type": "application/json"})
    assert answer.status_code == 400 and answer.json()["id"] == "bad_request"
    assert _get(fake, "no-such-thing").json()["id"] == "not_found"


@pytest.mark.parametrize("path, key", [
    ("regions", "regions"), ("sizes", "sizes"), ("images", "images"), ("droplets", "droplets"),
    ("volumes", "volumes"), ("load_balancers", "load_balancers"), ("vpcs", "vpcs"), ("domains", "domains"),
    ("account/keys", "ssh_keys"), ("tags", "tags"), ("firewalls", "firewalls"), ("actions", "actions"),
    ("droplets/{droplet}/actions", "actions"), ("domains/example.com/records", "domain_records"),
    ("vpcs/{vpc}/members", "members")])
def test_every_list_pages_with_links_and_a_total(fake, manager, path, key):
    vpc = digitalocean.VPC(name="vpc-one", region="nyc1", ip_range="10.20.0.0/16").create()
    for i in range(2):
        node = droplet(f"n{i}.example.com", tags=[f"t{i}"], vpc_uuid=vpc.id)
        digitalocean.Volume(name=f"v{i}", region="nyc1", size_gigabytes=1).create()
        digitalocean.LoadBalancer(name=f"lb{i}", region="nyc1", droplet_ids=[node.id], forwarding_rules=[
            digitalocean.ForwardingRule("http", 80, "http", 80)]).create()
        digitalocean.Domain(name=f"example{'' if i == 0 else i}.com").create()
        digitalocean.SSHKey(name=f"k{i}", public_key=[PUBLIC_KEY, OTHER_PUBLIC_KEY][i]).create()
        digitalocean.Firewall(name=f"fw{i}", tags=[f"t{i}"]).create()
    loaded(node).power_off()
    # With a page number the library answers that page alone; without one it follows every next link.
    first = manager.get_data(path.format(droplet=node.id, vpc=vpc.id), params={"per_page": 1, "page": 1})
    assert len(first[key]) == 1 and first["meta"]["total"] >= 2
    assert set(first["links"]["pages"]) == {"next", "last"}
    everything = manager.get_data(path.format(droplet=node.id, vpc=vpc.id), params={"per_page": 1000})
    assert len(everything[key]) == first["meta"]["total"] and everything["links"] == {}
