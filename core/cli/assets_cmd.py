"""``kops get assets``: every file and image a cluster's machines fetch, and ``--copy`` to the cluster's mirrors."""

from __future__ import annotations

import dataclasses
from typing import Any

import click
from kops.cli.flags import KopsCommand, bool_flag
from kops.cli.settings import Settings, global_options


@click.command("assets", cls=KopsCommand)
@click.argument("name", required=False)
@bool_flag("--copy", help="Copy each file to spec.assets.fileRepository (checking its sha256), and each image to "
                          "spec.assets.containerRegistry when one is given.")
@click.option("-o", "--output", type=click.Choice(["table", "yaml", "json"], case_sensitive=False), default="table",
              help="Output format.")
@global_options
@click.pass_obj
def get_assets(settings: Settings, name: str | None, copy: bool, output: str) -> None:
    """Display the images and files the cluster's machines fetch: where each comes from (canonical) and where
    machines fetch it (download: under spec.assets.fileRepository, containerRegistry or containerProxy when
    set), files with their sha256. Nothing is written, unless --copy.

    \b
    kops get assets my.example.com
    kops get assets my.example.com --copy     # fill the cluster's mirrors, for a cluster without the internet
    """
    import json

    import yaml
    from kops.assets import inventory
    from kops.cli.specs import registry
    from kops.cli.table import print_table

    cluster = settings.cluster_name(name) or ""
    images, files, container_registry = _assets(registry(settings), cluster)
    if copy:
        from kops.assets.registry import copy_images

        for line in inventory.copy_files(files):
            click.echo(line, err=True)
        # Images go to the cluster's container registry; a pull-through proxy or the sources need nothing.
        if not container_registry:
            click.echo("images are not copied: spec.assets.containerRegistry is not set", err=True)
        for line in copy_images([(i.canonical, i.download) for i in images] if container_registry else []):
            click.echo(line, err=True)
    result = {"images": [dataclasses.asdict(i) for i in images],
              "files": [{"canonical": f.canonical, "download": f.download, "sha": f.sha256} for f in files]}
    if output.lower() == "json":
        click.echo(json.dumps(result, indent=2))
    elif output.lower() == "yaml":
        click.echo(yaml.safe_dump(result, sort_keys=False), nl=False)
    else:
        click.echo("")
        print_table(["CANONICAL", "DOWNLOAD"], [[i.canonical, i.download] for i in images])
        click.echo("")
        print_table(["CANONICAL", "DOWNLOAD", "SHA"], [[f.canonical, f.download, f.sha256] for f in files])


def _assets(reg: Any, name: str) -> tuple[list[Any], list[Any], str | None]:
    """The cluster's images and files, computed as a dry run of ``kops update cluster`` would, and its container
    registry."""
    from kops import api, update
    from kops.addons.facts import context
    from kops.assets import inventory
    from kops.bootstrap import bootstrap_files
    from kops.inference.completion.facts import remap_image
    from kops.nodeup.bundle import node_bundle

    model, _ = update.load_model(reg, name, "dryrun")
    mirrors = model.cluster.spec.assets
    canonical = model
    if mirrors is not None and (mirrors.containerRegistry or mirrors.containerProxy):
        canonical, _ = update.load_model(_FromSources(reg), name, "dryrun")
    found = inventory.images(bootstrap_files(canonical, api.dump_yaml(canonical.cluster)))
    ctx = context(model.cluster)
    images = [inventory.ImageAsset(image, remap_image(ctx, image)) for image in found]
    bundle = node_bundle(type(model.cloud).__module__)
    files = inventory.files(api.to_dict(model.cluster)["spec"],
                            [(f"{model.config_base}/{bundle.manifest_path}", bundle.manifest),
                             (f"{model.config_base}/{bundle.archive_path}", bundle.archive)])
    return images, files, mirrors.containerRegistry if mirrors is not None else None


class _FromSources:
    """The registry, each cluster read as if its machines pulled images from their sources (no container mirror),
    so the images found are the canonical ones."""

    def __init__(self, registry: Any):
        self._registry = registry

    def __getattr__(self, name: str) -> Any:
        return getattr(self._registry, name)

    def get(self, name: str) -> Any:
        state = self._registry.get(name)
        spec = state.cluster.spec
        assets = spec.assets.model_copy(update={"containerRegistry": None, "containerProxy": None})
        cluster = state.cluster.model_copy(update={"spec": spec.model_copy(update={"assets": assets})})
        return dataclasses.replace(state, cluster=cluster)

