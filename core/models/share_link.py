"""A spec as a short, URL-safe token, so a link can carry a whole model (`?spec=...`)."""

from __future__ import annotations

import base64
import binascii
import json
import zlib

from core.models.spec import ModelSpec

MAX_SPEC_BYTES = 100_000
"""A spec's JSON is a few kB; a token that inflates beyond this is refused, never unpacked in full."""


def spec_token(spec: ModelSpec) -> str:
    compact = json.dumps(spec.to_dict(), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(zlib.compress(compact, 9)).decode().rstrip("=")


def spec_from_token(token: str) -> ModelSpec:
    """The spec a link carries, or a ValueError when the link was cut short, altered or is not a spec."""
    try:
        packed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        inflater = zlib.decompressobj()
        text = inflater.decompress(packed, MAX_SPEC_BYTES)
    except (binascii.Error, zlib.error):
        raise ValueError("the model in this link is damaged (perhaps cut short when it was copied).") from None
    if inflater.unconsumed_tail:
        raise ValueError("the model in this link is too large.")
    if not inflater.eof:
        raise ValueError("the model in this link is damaged (perhaps cut short when it was copied).")
    try:
        return ModelSpec.from_json(text.decode())
    except UnicodeDecodeError:
        raise ValueError("the model in this link is damaged.") from None
