"""ACME's audit agent, installed on the clusters whose spec asks for it: an organisation's own add-on, with
its own typed section of the Cluster spec.

The whole path, from installing the plugin to the manifest in the cluster's bootstrap channel:

1. **Install.** ``pip install kops-acme-addon``. Its ``pyproject.toml`` declares the entry point
   ``acme = "kops_acme_addon"`` in the group ``kops.plugins``, so kops loads this module's hooks;
   ``kops plugins list`` shows ``acme`` and the hooks it implements.

2. **Spec section.** :func:`kops_spec_sections` declares ``spec.acmeAuditAgent``, typed by
   :class:`kops_acme_addon.spec.AcmeAuditAgentSpec`. Users write it like any built-in section::

       spec:
         acmeAuditAgent:
           enabled: true
           endpoint: https://audit.acme.example.com/ingest   # optional
           logLevel: debug                                   # optional

   ``kops create -f``, ``kops replace -f`` and ``kops edit cluster`` validate it against the model, so
   ``endpoint: http://...`` fails with ``spec.acmeAuditAgent.endpoint: must be an https:// URL, ...`` and
   a misspelt field with ``spec.acmeAuditAgent.<field>: unknown field``. The stored spec keeps the section
   as written, and ``kops get cluster -o yaml`` gives it back unchanged. Without this plugin installed,
   ``spec.acmeAuditAgent`` is an unknown field like any other.

3. **Inference.** :func:`kops_inference_rules` adds a rule of the ``complete`` stage: at ``kops update
   cluster`` it fills ``endpoint`` and ``logLevel`` the user left empty, in the completed spec
   (``cluster-completed.spec``) only; the user's spec is never changed.

4. **Add-on.** :func:`kops_addons` reads the section from the completed cluster with
   :func:`kops.api.spec_section` and, while ``enabled`` is true, renders ``templates/audit-agent.yaml.j2``.
   ``kops update cluster`` writes it to the bootstrap channel in the state store
   (``addons/bootstrap-channel.yaml`` and ``addons/audit-agent.acme.example.com/k8s-<minor>.yaml``), from which
   nodes apply it; ``kops toolbox addons list`` shows it with the source ``acme``. With ``enabled: false``,
   or the section removed, the next update takes it out of the channel.

The module imports nothing heavy at load time (kops loads every plugin when the CLI starts): the model and
the template engine are imported inside the hooks.
"""

from __future__ import annotations

from typing import Any

from kops import hookimpl

SECTION = "acmeAuditAgent"
NAME = "audit-agent.acme.example.com"
VERSION = "1.4.2"
IMAGE = f"registry.acme.example.com/audit-agent:v{VERSION}"
DEFAULT_ENDPOINT = "https://audit.acme.example.com/ingest"
DEFAULT_LOG_LEVEL = "info"


@hookimpl
def kops_spec_sections() -> list:
    from kops.api import SpecSection

    from .spec import AcmeAuditAgentSpec

    return [SpecSection(SECTION, AcmeAuditAgentSpec)]


@hookimpl
def kops_inference_rules() -> list:
    from kops.inference import rule

    @rule("complete", 90)
    def audit_agent_defaults(ctx: Any) -> None:
        if ctx.get(f"spec.{SECTION}") is None:
            return
        ctx.default(f"spec.{SECTION}.endpoint", DEFAULT_ENDPOINT)
        ctx.default(f"spec.{SECTION}.logLevel", DEFAULT_LOG_LEVEL)

    return [audit_agent_defaults]


@hookimpl
def kops_addons(cluster: Any) -> list:
    from kops.api import spec_section

    agent = spec_section(cluster, SECTION)
    if agent is None or not agent.enabled:
        return []
    from kops.addons import Addon
    from kops.addons.render import render

    values = {"image": IMAGE, "cluster": cluster.metadata.name, "endpoint": agent.endpoint,
              "log_level": agent.logLevel}
    return [Addon(name=NAME, version=VERSION, manifest=render("kops_acme_addon", "audit-agent.yaml.j2", values))]
