"""Column helpers every table module shares."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Enum as SAEnum


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def enum_column(enum: type[StrEnum]) -> SAEnum:
    """Store an enum by its value as a plain string, so adding a member needs no DDL."""
    return SAEnum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda e: [m.value for m in e],
    )


__all__ = ["enum_column", "utcnow"]
