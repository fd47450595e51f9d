"""A fake of the DigitalOcean v2 API, served over HTTP on loopback, for tests to drive with the same client
(``python-digitalocean``) and the same calls as against the real API::

    with FakeDigitalOcean() as fake:
        os.environ.update(fake.environ())
        digitalocean.Manager().get_all_droplets()

Each resource kind is one module (``droplets``, ``volumes``, ``load_balancers``, ...) holding its state's
shape, how the API shows it, and its routes; ``server`` serves them (see its docstring for the
environment variables that inject faults and set timings).
"""

from kops_digitalocean.testing.do_api.server import FakeDigitalOcean

__all__ = ["FakeDigitalOcean"]
