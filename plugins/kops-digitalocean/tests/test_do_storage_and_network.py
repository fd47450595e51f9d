"""Volumes, VPCs, SSH keys and images through python-digitalocean, as a cloud plugin uses them: etcd
volumes found by name and region, attached and detached; the cluster's VPC and what keeps it from being
deleted; the SSH key looked up by fingerprint; the distribution images by slug."""

from __future__ import annotations

import digitalocean
import pytest
from do_kit import CLUSTER_TAG, FINGERPRINT, OTHER_PUBLIC_KEY, PUBLIC_KEY, droplet, loaded


def _volume(name: str, **fields) -> digitalocean.Volume:
    return digitalocean.Volume(**{"name": name, "region": "nyc1", "size_gigabytes": 20, **fields}).create()


def test_volumes_are_found_by_name_and_region_and_carry_their_tags(manager):
    made = _volume("a-etcd-main-dev-example-com", tags=[CLUSTER_TAG, "k8s-index:etcd-1"])
    _volume("a-etcd-main-dev-example-com", region="fra1")
    _volume("a-etcd-events-dev-example-com")
    found = manager.get_data("volumes", params={"name": "a-etcd-main-dev-example-com", "region": "nyc1"})
    assert [v["id"] for v in found["volumes"]] == [made.id]
    assert found["volumes"][0]["tags"] == [CLUSTER_TAG, "k8s-index:etcd-1"]
    assert found["volumes"][0]["size_gigabytes"] == 20 and found["volumes"][0]["droplet_ids"] == []
    assert sorted(v.name for v in manager.get_all_volumes(region="nyc1")) == [
        "a-etcd-events-dev-example-com", "a-etcd-main-dev-example-com"]
    assert {t.name for t in manager.get_all_tags()} >= {CLUSTER_TAG, "k8s-index:etcd-1"}
    with pytest.raises(digitalocean.DataReadError, match="already exists"):
        _volume("a-etcd-main-dev-example-com")
    with pytest.raises(digitalocean.DataReadError, match="lowercase"):
        _volume("Etcd_Main")


def test_an_attached_volume_cannot_be_deleted_until_detached(manager):
    node = loaded(droplet("control-plane.dev.example.com"))
    volume = _volume("a-etcd-main-dev-example-com")
    attach = volume.attach(node.id, "nyc1")["action"]
    assert (attach["type"], attach["status"]) == ("attach_volume", "in-progress")
    assert manager.get_action(attach["id"]).status == "completed"
    assert loaded(volume).droplet_ids == [node.id] and loaded(node).volume_ids == [volume.id]
    with pytest.raises(digitalocean.DataReadError, match="attached to a Droplet cannot be deleted"):
        volume.destroy()
    volume.detach(node.id, "nyc1")
    with pytest.raises(digitalocean.DataReadError, match="^Attachment not found$"):
        volume.detach(node.id, "nyc1")
    assert volume.destroy() is True
    with pytest.raises(digitalocean.NotFoundError):
        manager.get_volume(volume.id)


def test_volumes_attach_by_name_and_let_go_when_their_droplet_is_deleted(manager):
    node = loaded(droplet("control-plane.dev.example.com"))
    volume = _volume("a-etcd-events-dev-example-com")
    action = manager.get_data("volumes/actions", type=digitalocean.baseapi.POST, params={
        "type": "attach", "volume_name": volume.name, "region": "nyc1", "droplet_id": node.id})["action"]
    assert action["type"] == "attach_volume"
    assert loaded(volume).droplet_ids == [node.id]
    other = loaded(droplet("other.dev.example.com"))
    with pytest.raises(digitalocean.DataReadError, match="already attached"):
        volume.attach(other.id, "nyc1")
    node.destroy()
    assert loaded(volume).droplet_ids == []
    assert volume.destroy() is True


def test_a_cluster_vpc_cannot_be_deleted_while_it_has_members(manager):
    vpc = digitalocean.VPC(name="vpc-dev-example-com", region="nyc1", ip_range="10.20.0.0/16").create()
    assert (vpc.default, vpc.urn) == (False, f"do:vpc:{vpc.id}")
    assert [v.name for v in manager.get_all_vpcs() if v.id == vpc.id] == ["vpc-dev-example-com"]
    node = droplet(vpc_uuid=vpc.id)
    members = manager.get_data(f"vpcs/{vpc.id}/members")["members"]
    assert [m["urn"] for m in members] == [f"do:droplet:{node.id}"]
    with pytest.raises(digitalocean.DataReadError, match="^Can not delete VPC with members$"):
        vpc.destroy()
    loaded(node).destroy()
    assert vpc.destroy() is True
    with pytest.raises(digitalocean.NotFoundError):
        manager.get_vpc(vpc.id)


def test_vpc_ranges_may_not_overlap_and_default_vpcs_stay(manager):
    digitalocean.VPC(name="vpc-one", region="nyc1", ip_range="10.20.0.0/16").create()
    with pytest.raises(digitalocean.DataReadError, match="overlaps"):
        digitalocean.VPC(name="vpc-two", region="nyc1", ip_range="10.20.128.0/20").create()
    with pytest.raises(digitalocean.DataReadError, match="private"):
        digitalocean.VPC(name="vpc-two", region="nyc1", ip_range="8.8.0.0/16").create()
    chosen = digitalocean.VPC(name="vpc-auto", region="fra1").create()
    assert chosen.ip_range.endswith("/20")
    default = next(v for v in manager.get_all_vpcs() if v.default and v.region == "fra1")
    with pytest.raises(digitalocean.DataReadError, match="default VPC"):
        default.destroy()
    with pytest.raises(digitalocean.DataReadError):
        droplet(region="nyc3", vpc_uuid=chosen.id)  # a VPC of another region


def test_an_ssh_key_is_found_by_its_fingerprint(manager):
    key = digitalocean.SSHKey(name=f"kubernetes.dev.example.com-{FINGERPRINT}", public_key=PUBLIC_KEY)
    key.create()
    found = digitalocean.SSHKey(fingerprint=FINGERPRINT)
    found.load()
    assert (found.id, found.fingerprint, found.public_key) == (key.id, FINGERPRINT, PUBLIC_KEY)
    with pytest.raises(digitalocean.DataReadError, match="already in use"):
        digitalocean.SSHKey(name="again", public_key=PUBLIC_KEY).create()
    with pytest.raises(digitalocean.DataReadError, match="Fingerprint could not be generated"):
        digitalocean.SSHKey(name="broken", public_key="ssh-rsa notbase64!").create()
    digitalocean.SSHKey(name="other", public_key=OTHER_PUBLIC_KEY).create()
    assert len(manager.get_all_sshkeys()) == 2
    key.destroy()
    with pytest.raises(digitalocean.NotFoundError):
        digitalocean.SSHKey(fingerprint=FINGERPRINT).load()


def test_distribution_images_are_there_by_slug(manager):
    assert manager.get_image("ubuntu-24-04-x64").distribution == "Ubuntu"
    assert manager.get_image("debian-12-x64").distribution == "Debian"
    slugs = {i.slug for i in manager.get_distro_images()}
    assert {"ubuntu-24-04-x64", "ubuntu-22-04-x64", "debian-12-x64"} <= slugs
    image = manager.get_image("ubuntu-24-04-x64")
    assert manager.get_image(image.id).slug == "ubuntu-24-04-x64"
    with pytest.raises(digitalocean.NotFoundError):
        manager.get_image("windows-11")
    assert manager.get_my_images() == []


def test_a_droplet_is_created_with_its_volume_attached(manager):
    volume = _volume("a-etcd-main-dev-example-com")
    node = loaded(droplet("control-plane.dev.example.com", volumes=[volume.id]))
    assert node.volume_ids == [volume.id] and loaded(volume).droplet_ids == [node.id]
    with pytest.raises(digitalocean.DataReadError, match="same region"):
        droplet("fra.dev.example.com", region="fra1", volumes=[_volume("b-etcd-main-dev-example-com").id])


def test_a_channel_naming_a_digitalocean_image_adds_it_by_slug(tmp_path):
    from kops_digitalocean.testing.do_api.catalogue import public_images

    channel = tmp_path / "channel.yaml"
    channel.write_text("spec:\n  images:\n  - name: ubuntu-26-04-x64\n    providerID: digitalocean\n"
                       "  - name: debian-12-x64\n    providerID: digitalocean\n"
                       "  - name: 099720109477/ubuntu/images/x\n    providerID: aws\n")
    slugs = [i["slug"] for i in public_images(channels=(str(channel),))]
    assert slugs.count("ubuntu-26-04-x64") == 1 and slugs.count("debian-12-x64") == 1
    assert not any(s.startswith("099720109477") for s in slugs)


def test_a_volume_waits_for_its_droplet_to_be_idle(manager):
    node = droplet("control-plane.dev.example.com")
    volume = _volume("a-etcd-main-dev-example-com")
    with pytest.raises(digitalocean.DataReadError, match="^Droplet already has a pending event.$"):
        volume.attach(node.id, "nyc1")  # the Droplet is still being created
    loaded(node)
    attach = volume.attach(node.id, "nyc1")["action"]
    with pytest.raises(digitalocean.DataReadError, match="pending event"):
        node.power_off()  # the attach is a Droplet event too
    assert manager.get_action(attach["id"]).status == "completed"
    assert node.power_off()["action"]["type"] == "power_off"
