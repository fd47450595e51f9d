"""DigitalOcean support for kops."""
