"""The base model and the scalar types the kops API shares with Kubernetes.

Models are strict and closed: a misspelt field is reported instead of silently dropped, and every value comes
back with the type it was written with (``"1"`` stays a string, ``1`` an integer, ``100Mi`` a string), so a
manifest survives a load/dump round trip unchanged.
"""

import os
import re
from typing import Annotated, Any, Self

# Pydantic looks for its plugins (observers of validation) by reading every installed distribution's metadata when
# the first model is built, a good part of a short command's time; kops' models are its own and want none.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from pydantic import BaseModel, ConfigDict, PlainValidator, WithJsonSchema  # noqa: E402 - after the setting above
from pydantic_core import PydanticCustomError  # noqa: E402


class KopsModel(BaseModel):
    """Base of every kops API object: unknown fields are errors, values are never coerced."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, strict=True, validate_assignment=True)

    def copy(self) -> Self:  # type: ignore[override]
        """A deep copy, so changes to the copy never reach the original."""
        return self.model_copy(deep=True)

    def to_dict(self) -> dict[str, Any]:
        """The object as a plain tree with upstream's field names; unset fields are left out, empty objects kept."""
        return self.model_dump(by_alias=True, exclude_none=True)


# Upstream's resource.Quantity: a decimal number with an optional binary (Ki..Ei), decimal (n..E) or
# exponent suffix. YAML may carry it as a number, so integers and floats are accepted as written.
QUANTITY_PATTERN = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE])?$"
# Upstream's metav1.Duration, written as Go prints durations: "5m0s", "1h", "300ms", "0".
DURATION_PATTERN = r"^[+-]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$"

_quantity_re = re.compile(QUANTITY_PATTERN)
_duration_re = re.compile(DURATION_PATTERN)


def _check_quantity(value: object) -> int | float | str:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PydanticCustomError("quantity_type", "expected a quantity such as 100Mi, 500m or 2")
    if isinstance(value, str) and not _quantity_re.match(value):
        raise PydanticCustomError(
            "quantity_syntax",
            f"invalid quantity {value!r}: expected a number with an optional unit such as 100Mi, 500m or 1Gi",
        )
    return value


def _check_int_or_string(value: object) -> int | str:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise PydanticCustomError("int_or_string_type", "expected an integer or a string")
    return value


def _check_map_key(value: object) -> int | str:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise PydanticCustomError("map_key_type", "expected a string key")
    return value


def _check_duration(value: object) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("duration_type", "expected a duration string such as 5m0s")
    if not _duration_re.match(value):
        raise PydanticCustomError(
            "duration_syntax", f"invalid duration {value!r}: expected a duration such as 300ms, 10s or 1h30m"
        )
    return value


Quantity = Annotated[
    int | float | str,
    PlainValidator(_check_quantity),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string", "pattern": QUANTITY_PATTERN}]}),
]
IntOrString = Annotated[
    int | str,
    PlainValidator(_check_int_or_string),
    WithJsonSchema({"anyOf": [{"type": "integer"}, {"type": "string"}], "x-kubernetes-int-or-string": True}),
]
# A key of a spec map. YAML lets a key be written as a number (``100:`` in the cluster autoscaler's priority
# map); it is kept as written so the manifest round-trips, where upstream would turn it into "100".
MapKey = Annotated[
    str | int,
    PlainValidator(_check_map_key),
    WithJsonSchema({"type": "string"}),
]
Duration = Annotated[
    str,
    PlainValidator(_check_duration),
    WithJsonSchema({"type": "string", "pattern": DURATION_PATTERN}),
]
