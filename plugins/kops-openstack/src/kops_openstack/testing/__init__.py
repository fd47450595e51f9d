"""Testing aids for the OpenStack plugin: the OpenStack testbed (``python -m kops.testing.testbed openstack``)."""
