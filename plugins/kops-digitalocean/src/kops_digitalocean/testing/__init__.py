"""Stand-ins for DigitalOcean that tests, demos and users run kops against: a fake of the v2 API
(:mod:`kops_digitalocean.testing.do_api`) and moto's S3 as Spaces (:mod:`kops_digitalocean.testing.spaces`)."""
