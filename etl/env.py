"""Settings from the environment, each validated where it is read.

A bad value fails at once with the variable's name, the value and what is allowed, never deep inside a run
(`ASHARE_CHUNK_SESSIONS=0` used to end in `range() arg 3 must not be zero`, `ASHARE_LAKE_RETRIES=0` made every
lake write silently do nothing). An unset or empty variable takes its default.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence


class SettingError(ValueError):
    """An environment variable whose value is not allowed; the message names the variable, value and rule."""


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return value.strip() if value is not None and value.strip() else None


def _refuse(name: str, value: str, allowed: str) -> SettingError:
    return SettingError(f"{name}={value!r}: {allowed}")


def integer(name: str, default: int, *, minimum: int, maximum: int | None = None) -> int:
    text = _raw(name)
    if text is None:
        return default
    bounds = f"a whole number >= {minimum}" + (f" and <= {maximum}" if maximum is not None else "")
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        raise _refuse(name, text, f"expected {bounds}")
    value = int(text)
    if value < minimum or (maximum is not None and value > maximum):
        raise _refuse(name, text, f"expected {bounds}")
    return value


def choice(name: str, default: str | None, allowed: Sequence[str]) -> str | None:
    text = _raw(name)
    if text is None:
        return default
    if text not in allowed:
        raise _refuse(name, text, f"expected one of {', '.join(allowed)}")
    return text


def flag(name: str, default: bool) -> bool:
    """1/0 (also true/false, yes/no, on/off)."""
    text = _raw(name)
    if text is None:
        return default
    on, off = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
    if text.lower() not in on + off:
        raise _refuse(name, text, "expected 1 or 0 (true/false, yes/no, on/off)")
    return text.lower() in on


def text(name: str, default: str | None = None) -> str | None:
    return _raw(name) or default


def existing_file(name: str, default):
    """A path to a file that exists (the default when unset)."""
    from pathlib import Path

    text = _raw(name)
    if text is None:
        return default
    path = Path(text).expanduser()
    if not path.is_file():
        raise _refuse(name, text, "expected the path of an existing file")
    return path


def date(name: str) -> dt.date | None:
    value = _raw(name)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _refuse(name, value, "expected a date, YYYY-MM-DD") from None


SIZE = re.compile(r"[0-9]+(\.[0-9]+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)


def size(name: str, default: str) -> str:
    """A DuckDB memory size such as 512MB or 2GiB."""
    value = _raw(name)
    if value is None:
        return default
    if not SIZE.fullmatch(value):
        raise _refuse(name, value, "expected a size such as 512MB or 2GiB")
    return value
