"""Text as it arrives from chat, made safe to store and show: NUL and lone UTF-16 surrogates become U+FFFD.

PostgreSQL rejects NUL in text and neither database can encode a lone surrogate (JSON may carry one,
`"\\ud800"`), so either would make a request fail after it was acknowledged. The platform edges pass
each payload through `clean_json` before anything reads it; the character is replaced, never a reason
to drop the request.
"""

from __future__ import annotations

import re
from typing import Any

REPLACEMENT = "\ufffd"
_UNSAFE = re.compile("[\x00\ud800-\udfff]")


def clean(text: str) -> str:
    """`text` with every NUL and lone surrogate replaced by U+FFFD."""
    return _UNSAFE.sub(REPLACEMENT, text) if _UNSAFE.search(text) else text


def clean_json(value: Any) -> Any:
    """A JSON value (dicts, lists, strings, numbers) with every string, keys included, `clean`ed."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(k) if isinstance(k, str) else k: clean_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_json(v) for v in value]
    return value
