"""Access to the upstream fixtures (``KOPS_FIXTURES``) and the comparison of ../shared/tools/kops_conformance.py,
which lives beside them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from kops.testing import upstream

FIXTURES = upstream.root()


def _find_tool() -> Path | None:
    """The tool lives beside the fixtures (shared/tools next to shared/fixtures/kops), or beside the checkout."""
    for shared in (*FIXTURES.parents[1:2], Path(__file__).resolve().parents[1].parent / "shared"):
        if (shared / "tools" / "kops_conformance.py").is_file():
            return shared / "tools" / "kops_conformance.py"
    return None


TOOL = _find_tool()


def load_tool():
    """The conformance tool as a module, or None where the fixtures it compares with are missing."""
    if not upstream.available():
        return None
    if TOOL is None:
        raise FileNotFoundError(f"kops_conformance.py is neither beside the fixtures ({FIXTURES}) nor in ../shared/tools")
    spec = importlib.util.spec_from_file_location("kops_conformance", TOOL)
    module = importlib.util.module_from_spec(spec)
    sys.modules["kops_conformance"] = module
    spec.loader.exec_module(module)
    return module


def cases(folder: str, keep=None) -> list:
    """The case folders of ``folder`` (``create_cluster``) for ``parametrize``, those ``keep(case)`` accepts; one
    skipped case where the fixtures are missing."""
    return upstream.cases(f"{folder}/*", keep=lambda p: p.is_dir() and (keep is None or keep(p)))
