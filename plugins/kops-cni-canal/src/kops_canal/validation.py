"""Checks on ``spec.networking.canal``: the values Felix accepts, and what Canal cannot do (IPv6)."""

from __future__ import annotations

from typing import Any

from kops.errors import FieldError

PATH = "spec.networking.canal"

CHOICES = {
    "defaultEndpointToHostAction": ("ACCEPT", "DROP", "RETURN"),
    "chainInsertMode": ("insert", "append"),
    "iptablesBackend": ("Auto", "Legacy", "NFT"),
}
#: Felix reads log levels in any case; upstream documents them in capitals.
LOG_SEVERITIES = ("INFO", "DEBUG", "WARNING", "ERROR", "CRITICAL", "NONE")


def validate(cluster: Any) -> list[FieldError]:
    canal = cluster.spec.networking.canal
    errors = [FieldError(f"{PATH}.{name}", f"unsupported value {value!r}: must be one of {', '.join(allowed)}")
              for name, allowed in CHOICES.items()
              if (value := getattr(canal, name)) is not None and value not in allowed]
    if canal.logSeveritySys is not None and canal.logSeveritySys.upper() not in LOG_SEVERITIES:
        errors.append(FieldError(f"{PATH}.logSeveritySys", f"unsupported value {canal.logSeveritySys!r}: "
                                                          f"must be one of {', '.join(LOG_SEVERITIES)}"))
    if canal.typhaReplicas is not None and canal.typhaReplicas < 0:
        errors.append(FieldError(f"{PATH}.typhaReplicas", f"must be 0 or more, not {canal.typhaReplicas}"))
    if ":" in (cluster.spec.nonMasqueradeCIDR or ""):
        errors.append(FieldError(PATH, "Canal does not support IPv6 clusters"))
    return errors
