"""Droplets through python-digitalocean, as a cloud plugin makes and finds them: tags, user data, a VPC, an
SSH key by fingerprint, several at once, look-ups by tag over pages, actions, deleting by tag."""

from __future__ import annotations

import ipaddress

import digitalocean
import pytest
import requests
from do_kit import CLUSTER_TAG, FINGERPRINT, PUBLIC_KEY, droplet, loaded


def test_a_droplet_is_new_then_active_with_addresses_in_its_vpc(fake, manager):
    vpc = digitalocean.VPC(name="vpc-dev-example-com", region="nyc1", ip_range="10.20.0.0/16").create()
    key = digitalocean.SSHKey(name="kubernetes.dev.example.com", public_key=PUBLIC_KEY)
    key.create()
    made = digitalocean.Droplet.create_multiple(
        names=["control-plane-nyc1.masters.dev.example.com"], region="nyc1", size="s-2vcpu-4gb-amd",
        image="ubuntu-24-04-x64", vpc_uuid=vpc.id, ssh_keys=[FINGERPRINT], token=fake.token,
        tags=[CLUSTER_TAG, "k8s-index:etcd-1"], user_data="#!/bin/bash\necho nodeup\n")
    assert [(d.status, d.networks) for d in made] == [("new", {"v4": [], "v6": []})]

    found = manager.get_droplet(made[0].id)
    assert found.status == "active"
    assert ipaddress.ip_address(found.private_ip_address) in ipaddress.ip_network("10.20.0.0/16")
    assert ipaddress.ip_address(found.ip_address).version == 4 and found.ip_address != found.private_ip_address
    assert found.vpc_uuid == vpc.id
    assert found.tags == [CLUSTER_TAG, "k8s-index:etcd-1"]
    assert found.size_slug == "s-2vcpu-4gb-amd" and found.region["slug"] == "nyc1"
    assert found.image["slug"] == "ubuntu-24-04-x64"
    # The API never shows user data; the fake's own endpoint does, for tests.
    assert not hasattr(found, "user_data") or found.user_data is None
    shown = requests.get(fake.base_url.replace("/v2/", f"/fake-api/droplets/{found.id}/user_data"), timeout=10)
    assert shown.json() == {"user_data": "#!/bin/bash\necho nodeup\n"}


def test_a_droplet_without_a_vpc_joins_its_regions_default_vpc(manager):
    found = loaded(droplet())
    default = next(v for v in manager.get_all_vpcs() if v.region == "nyc1" and v.default)
    assert found.vpc_uuid == default.id and default.name == "default-nyc1"
    assert ipaddress.ip_address(found.private_ip_address) in ipaddress.ip_network(default.ip_range)


def test_droplets_of_one_name_are_counted_by_name_and_found_by_tag(fake, manager):
    made = digitalocean.Droplet.create_multiple(
        names=["nodes-nyc1.dev.example.com"] * 3, region="nyc1", size="s-2vcpu-4gb", image="debian-12-x64",
        tags=[CLUSTER_TAG], token=fake.token)
    droplet("bastion.dev.example.com", tags=["KubernetesCluster:other-example-com"])
    assert len({d.id for d in made}) == 3
    tagged = manager.get_all_droplets(tag_name=CLUSTER_TAG)
    assert sorted(d.id for d in tagged) == sorted(d.id for d in made)
    assert {d.name for d in tagged} == {"nodes-nyc1.dev.example.com"}
    assert all(d.status == "active" and d.private_ip_address for d in tagged)


def test_a_tag_lookup_follows_the_pages(manager):
    ids = [droplet(f"nodes-{i}.dev.example.com", tags=[CLUSTER_TAG]).id for i in range(5)]
    droplet("elsewhere.example.com")
    # The library follows links.pages.next itself when it is given a page size.
    assert sorted(d.id for d in manager.get_all_droplets(params={"per_page": 2}, tag_name=CLUSTER_TAG)) == ids
    second = manager.get_data("droplets", params={"tag_name": CLUSTER_TAG, "page": 2, "per_page": 2})
    assert [d["id"] for d in second["droplets"]] == ids[2:4]
    assert second["meta"] == {"total": 5}
    pages = second["links"]["pages"]
    assert set(pages) == {"first", "prev", "next", "last"}
    assert "page=3" in pages["next"] and "page=3" in pages["last"] and "tag_name=" in pages["next"]
    assert pages["next"].startswith(manager.end_point)
    assert manager.get_data("droplets", params={"tag_name": CLUSTER_TAG, "per_page": 200})["links"] == {}


def test_deleting_by_tag_removes_only_the_tagged_droplets(manager):
    for i in range(3):
        droplet(f"nodes-{i}.dev.example.com", tags=[CLUSTER_TAG])
    kept = droplet("kept.example.com", tags=["KubernetesCluster:other"])
    assert manager.get_data(f"droplets?tag_name={CLUSTER_TAG}", type=digitalocean.baseapi.DELETE) is True
    assert [d.id for d in manager.get_all_droplets()] == [kept.id]
    loaded(kept).destroy()
    with pytest.raises(digitalocean.NotFoundError):
        manager.get_droplet(kept.id)


def test_invalid_droplets_are_refused_with_the_real_messages(manager):
    cases = [({"name": "bad_name"}, "Only valid hostname characters are allowed. (a-z, A-Z, 0-9, . and -)"),
             ({"region": "mars1"}, "You specified an invalid region for Droplet creation."),
             ({"region": "nyc2"}, "You specified an invalid region for Droplet creation."),
             ({"size_slug": "huge"}, "You specified an invalid size for Droplet creation."),
             ({"image": "windows-11"}, "You specified an invalid image for Droplet creation."),
             ({"ssh_keys": ["00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff"]},
              "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff are invalid key identifiers for Droplet creation."),
             ({"tags": ["has space"]}, "tag names must only contain letters, numbers, colons, dashes and underscores")]
    for fields, message in cases:
        with pytest.raises(digitalocean.DataReadError) as refused:
            droplet(**{"name": "ok.example.com", **fields})
        assert str(refused.value) == message
    assert manager.get_all_droplets() == []


def test_a_bad_token_and_a_missing_droplet_surface_as_the_librarys_errors(fake, manager):
    with pytest.raises(digitalocean.DataReadError, match="^Unable to authenticate you$"):
        digitalocean.Manager(token="not-the-token").get_all_droplets()
    with pytest.raises(digitalocean.NotFoundError):
        manager.get_droplet(12345)
    answer = requests.get(fake.base_url + "droplets/12345", headers={"Authorization": f"Bearer {fake.token}"},
                          timeout=10)
    assert answer.status_code == 404
    assert {k: answer.json()[k] for k in ("id", "message")} == {
        "id": "not_found", "message": "The resource you were accessing could not be found."}


def test_actions_power_a_droplet_off_and_on_and_complete(manager):
    made = droplet()
    with pytest.raises(digitalocean.DataReadError, match="pending event"):
        made.shutdown()  # still being created: the real API refuses too
    loaded(made)
    action = made.shutdown(return_dict=False)
    assert (action.type, action.status) == ("shutdown", "in-progress")
    assert action.wait(update_every_seconds=0) is True
    assert loaded(made).status == "off"
    assert made.power_on(return_dict=False).wait(update_every_seconds=0)
    assert loaded(made).status == "active"
    kinds = [a.type for a in made.get_actions()]
    assert kinds == ["power_on", "shutdown", "create"]
    assert manager.get_action(action.id).status == "completed"


def test_a_droplet_resizes_only_when_off(manager):
    made = loaded(droplet())
    with pytest.raises(digitalocean.DataReadError, match="Please power it off"):
        made.resize("s-4vcpu-8gb")
    made.power_off(return_dict=False).wait(update_every_seconds=0)
    made.resize("s-4vcpu-8gb", return_dict=False).wait(update_every_seconds=0)
    assert loaded(made).size_slug == "s-4vcpu-8gb" and made.vcpus == 4
