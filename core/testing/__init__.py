"""Helpers shipped with kops for its own tests and for plugins' tests.

- :mod:`kops.testing.cli`: the installed ``kops`` command run in an isolated environment;
- :mod:`kops.testing.manifests`: strict schema validation of manifests for every supported Kubernetes minor;
- :mod:`kops.testing.plugins`: one plugin's registered hooks;
- :mod:`kops.testing.kube_api`: a fake Kubernetes API server to apply manifests to.
"""
