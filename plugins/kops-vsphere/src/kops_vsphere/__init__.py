"""vSphere for kops. Importing this package must stay cheap: it is loaded whenever the CLI starts."""
