"""``python -m kops`` runs the CLI."""

from kops.cli.main import main

main()
