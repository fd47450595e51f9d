"""Component settings from the kops API as command-line flags (``--allow-privileged=true``), sorted.

Values are written as the API holds them: booleans as ``true``/``false``, lists joined with commas (or one
flag per item for ``,repeat`` settings), maps as sorted ``key=value`` pairs joined with commas. Settings with
no flag in the table (:mod:`.flagnames`) are skipped; nested settings (``leaderElection``) are looked up in
their own table.
"""

from __future__ import annotations

from typing import Any

from kops.nodeup import flagnames

#: Nested settings and the table their fields' flags are in.
NESTED = {"leaderElection": flagnames.LEADER_ELECTION}


def build_flags(settings: dict[str, Any], table: dict[str, str]) -> list[str]:
    """The flags for ``settings`` (a component's API tree) according to ``table``, sorted."""
    flags: list[str] = []
    for key, value in settings.items():
        if key in NESTED and isinstance(value, dict):
            flags += build_flags(value, NESTED[key])
            continue
        spec = table.get(key)
        if spec is None or value is None:
            continue
        name, *options = spec.split(",")
        empty = next((o[len("empty="):] for o in options if o.startswith("empty=")), None)
        if isinstance(value, list):
            items = [_text(v) for v in value]
            if "repeat" in options:
                flags += [f"--{name}={item}" for item in items]
            elif items:
                flags.append(f"--{name}={','.join(items)}")
        elif isinstance(value, dict):
            if value:
                flags.append(f"--{name}={','.join(sorted(f'{k}={_text(v)}' for k, v in value.items()))}")
        else:
            text = _text(value)
            if text != "" and text != empty:
                flags.append(f"--{name}={text}")
    return sorted(flags)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
