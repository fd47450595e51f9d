"""Add-on manifests checked against Kubernetes' own OpenAPI schemas, for every Kubernetes minor kops supports.

A manifest that the API server would reject (a misspelt field, a wrong type, an API version a release has
dropped) fails only on a live cluster otherwise; strict validation here catches it in a unit test. Needs
the ``kubernetes-validate`` package, which is imported only when a check runs.
"""

from __future__ import annotations

from collections.abc import Iterable

import yaml

#: The Kubernetes minor versions kops supports; every manifest must be valid for each.
KUBERNETES_MINORS = ("1.32", "1.33", "1.34", "1.35")


def schema_problems(manifest: str, minors: Iterable[str] = KUBERNETES_MINORS,
                    custom_groups: Iterable[str] = ()) -> list[str]:
    """Every object of a multi-document ``manifest`` that does not validate strictly against a minor's
    schemas (or whose kind those schemas do not know), one readable line each; empty when all is well.

    Objects of ``custom_groups`` (API groups that CustomResourceDefinitions define, which Kubernetes' schemas
    do not know) are left out."""
    import kubernetes_validate

    minors, custom = tuple(minors), set(custom_groups)
    problems = []
    for doc in (d for d in yaml.safe_load_all(manifest) if d):
        if doc["apiVersion"].partition("/")[0] in custom:
            continue
        for minor in minors:
            try:
                kubernetes_validate.validate(doc, minor, strict=True)
            except (kubernetes_validate.ValidationError, kubernetes_validate.SchemaNotFoundError) as exc:
                path = ".".join(str(p) for p in getattr(exc, "path", []))
                problems.append(f"{minor} {doc['kind']}/{doc['metadata']['name']} {path}: {exc.message}")
    return problems
