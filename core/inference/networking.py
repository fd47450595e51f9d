"""Create-stage rule for ``--networking``: the chosen provider writes its section of the spec."""

from __future__ import annotations

from kops.inference.base import InferenceContext, rule


@rule("create", 20)
def networking_provider(ctx: InferenceContext) -> None:
    from kops.networking import provider_for

    provider = provider_for(ctx.options.networking or "cilium")
    provider.create_spec(ctx)
