"""Access to the upstream fixtures and the comparison used by ../shared/tools/kops_conformance.py."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

TOOL = Path(__file__).resolve().parents[1].parent / "shared" / "tools" / "kops_conformance.py"
FIXTURES = TOOL.parents[1] / "fixtures" / "kops"


def load_tool():
    spec = importlib.util.spec_from_file_location("kops_conformance", TOOL)
    module = importlib.util.module_from_spec(spec)
    sys.modules["kops_conformance"] = module
    spec.loader.exec_module(module)
    return module


def cases(folder: str) -> list[Path]:
    return sorted(p for p in (FIXTURES / folder).iterdir() if p.is_dir())
