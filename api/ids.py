"""Opaque global IDs: base64("Type:pk"), resolvable through node(id:)."""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache

from domain.errors import BadInput


@lru_cache(maxsize=65_536)  # every card writes its ids on every request
def to_global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode("ascii").rstrip("=")


def from_global_id(global_id: str, *, field: str = "id") -> tuple[str, int]:
    """(type name, primary key) of a global ID, exactly as `to_global_id` writes it;
    BAD_USER_INPUT naming `field` otherwise."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, pk = base64.urlsafe_b64decode(padded).decode("utf-8").partition(":")
        number = int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadInput("bad_id", field=field) from None
    if not (type_name.isascii() and type_name.isidentifier()) or not 0 < number < 2**63:
        raise BadInput("bad_id", field=field)
    # One ID per object: `Post: 1 `, `Post:+1`, `Post:01`, `Post:١` (an Arabic-Indic one) or
    # padding and spare bits in the base64 all read as 1 above, and are refused here.
    if to_global_id(type_name, number) != global_id:
        raise BadInput("bad_id", field=field)
    return type_name, number


def pk_of(global_id: str, expected_type: str, *, field: str = "id") -> int:
    """The primary key of a global ID that must name `expected_type`."""
    type_name, pk = from_global_id(global_id, field=field)
    if type_name != expected_type:
        raise BadInput("bad_id", field=field)
    return pk
