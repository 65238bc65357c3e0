"""JSON Canonicalization Scheme (RFC 8785), for the eddsa-jcs-2022 / ecdsa-jcs-2019 suites.

Written out rather than taken from a package because the whole scheme is three rules: keys
sorted by UTF-16 code units, strings escaped as ECMAScript's JSON.stringify does, and numbers
printed as ECMAScript's Number.prototype.toString prints the same IEEE-754 double.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from satchel.validator.rdfc import CanonicalizationError

__all__ = ["JcsError", "canonicalize_json"]

# Integers beyond this are not exactly representable as the double ECMAScript would use.
_MAX_SAFE_INTEGER = 2**53 - 1
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n"}
_SHORT_ESCAPES.update({"\f": "\\f", "\r": "\\r"})


class JcsError(CanonicalizationError):
    """The value has no RFC 8785 canonical form (NaN, Infinity, a non-string key, ...)."""

    type = "jcs-invalid-value"
    title = "Value cannot be canonicalized as JSON"


def canonicalize_json(value: Any) -> bytes:
    """RFC 8785 canonical UTF-8 bytes of a JSON value (dict, list, str, int, float, bool, None)."""
    parts: list[str] = []
    _write(value, parts)
    try:
        return "".join(parts).encode("utf-8")
    except UnicodeEncodeError as error:  # a lone surrogate is not valid I-JSON
        raise JcsError("string contains a lone surrogate") from error


def _write(value: Any, out: list[str]) -> None:
    if value is None or isinstance(value, bool):
        out.append({None: "null", True: "true", False: "false"}[value])
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, int | float):
        out.append(_number(value))
    elif isinstance(value, dict):
        _write_object(value, out)
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        raise JcsError(f"{type(value).__name__} is not a JSON value")


def _write_object(value: dict[Any, Any], out: list[str]) -> None:
    for key in value:
        if not isinstance(key, str):
            raise JcsError(f"object key {key!r} is not a string")
    out.append("{")
    # RFC 8785 3.2.3: sort by UTF-16 code units, which differs from code points above U+FFFF.
    for index, key in enumerate(
        sorted(value, key=lambda k: k.encode("utf-16-be", "surrogatepass"))
    ):
        if index:
            out.append(",")
        out.append(_string(key))
        out.append(":")
        _write(value[key], out)
    out.append("}")


def _string(value: str) -> str:
    escaped = []
    for char in value:
        if char in _SHORT_ESCAPES:
            escaped.append(_SHORT_ESCAPES[char])
        elif char < " ":
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def _number(value: int | float) -> str:
    if isinstance(value, int):
        if abs(value) > _MAX_SAFE_INTEGER:
            raise JcsError(f"integer {value} is outside the IEEE-754 safe range")
        value = float(value)
    if not math.isfinite(value):
        raise JcsError(f"{value!r} is not a JSON number")
    if value == 0:
        return "0"  # also for -0.0
    if value < 0:
        return "-" + _number(-value)
    return _ecmascript_format(value)


def _ecmascript_format(value: float) -> str:
    """Number::toString for a positive finite double (ECMA-262 6.1.6.1.20)."""
    # repr() gives the shortest round-tripping digits, exactly ECMAScript's choice of digits.
    sign, digit_tuple, exponent = Decimal(repr(value)).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    assert isinstance(exponent, int) and not sign
    k = len(digits)
    n = exponent + len(digit_tuple)  # value = 0.digits * 10**n
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{mantissa}e{n - 1:+d}"
