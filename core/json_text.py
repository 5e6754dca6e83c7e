"""JSON that visitors upload (a model spec, a benchmark result), read with messages a learner can act on."""

from __future__ import annotations

import json
from typing import Any


def parsed_json(text: str, what: str) -> Any:
    """The JSON value in `text`, or a ValueError that says what is wrong and names what was expected (`what`)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"this is not valid JSON ({error.msg} at line {error.lineno}).") from None
    except RecursionError:
        raise ValueError(f"this JSON is nested far too deeply to be {what}.") from None
