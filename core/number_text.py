"""Numbers as a learner reads them: 1000 and 0.001 rather than 1e+03 and 1e-03, 4.84 million rather than
4842759.25, and 1.8×10¹⁵ only for sizes that have no everyday name."""

from __future__ import annotations

import math
from decimal import Decimal

PLAIN_FROM = 1e-6
"""Down to here a number is written out as a decimal (0.000001); below, as a power of ten (1×10⁻⁷)."""
NAMED_LARGE = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))
"""Below a million a number is written out in digits (999,000); from there on in millions, billions, trillions."""
NAMED_BELOW = 1e15
"""Beyond trillions the names (quadrillion...) mean nothing to most readers: a power of ten says it better."""
SEPARATED_FROM = 10_000
"""Thousands are separated from five digits on (48,400), so a learning rate of 1000 reads as typed."""
LOSS_DECIMALS_BELOW = 1000
"""A loss below this keeps four decimals, so two runs compare digit by digit; a larger one only says it exploded."""
SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
SIZE_UNITS = ((2**30, "GB"), (2**20, "MB"), (2**10, "KB"))
"""File sizes count in powers of 1024, as the upload limit (`KERAS_LAB_MAX_UPLOAD_MB`) and Streamlit's do."""


def _significant(value: float, digits: int) -> str:
    """The value rounded to `digits` significant digits, written out without an exponent or trailing zeros."""
    text = f"{Decimal(f'{value:.{digits}g}'):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def power_of_ten(value: float, digits: int = 3) -> str:
    """'1.8×10¹⁵', '1×10⁻⁷': the mantissa to `digits` significant digits and a superscript exponent."""
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
    return f"{mantissa}×10{str(int(exponent)).translate(SUPERSCRIPTS)}"


def readable_number(value: float, digits: int = 3) -> str:
    """A number to `digits` significant digits as a learner reads it: '0.001', '1000', '48,400', '4.84 million',
    '1.8×10¹⁵'. NaN and infinities stay 'nan', 'inf'."""
    if not math.isfinite(value) or value == 0:
        return str(value) if value else "0"
    value = float(f"{value:.{digits}g}")  # Rounded first, so 999,999 is '1 million', never '1,000,000'.
    size = abs(value)
    if size < PLAIN_FROM or size >= NAMED_BELOW:
        return power_of_ten(value, digits)
    for scale, name in NAMED_LARGE:
        if size >= scale:
            return f"{_significant(value / scale, digits)} {name}"
    text = _significant(value, digits)
    return f"{float(text):,.0f}" if size >= SEPARATED_FROM else text


def readable_loss(loss: float) -> str:
    """A score such as the test loss: '0.0734' while it is ordinary, '4.84 million' once it exploded."""
    return f"{loss:.4f}" if abs(loss) < LOSS_DECIMALS_BELOW else readable_number(loss)


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """'1 layer', '2 layers', '1,000 drawings': the count with its noun in the number it needs."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def readable_size(byte_count: int) -> str:
    """'1.9 MB', '512.0 KB', '1.2 GB': the size in the largest unit that shows at least 1.0 (never '0.0 MB')."""
    for unit, name in SIZE_UNITS:
        if round(byte_count / unit, 1) >= 1:
            return f"{byte_count / unit:.1f} {name}"
    unit, name = SIZE_UNITS[-1]
    return f"{byte_count / unit:.1f} {name}"
