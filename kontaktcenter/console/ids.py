"""Ids in console URLs: only what the database can hold, anything else is "not found".

``int()`` accepts "+5", " 5", "1_000" and Arabic-Indic digits, and ids above 2**63 - 1
made the database driver raise (HTTP 500). One parser for every console route.
"""

from __future__ import annotations

import re

from aiohttp import web

MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(text: str) -> int | None:
    """The positive database id written in ``text``, or None."""
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def id_from(request: web.Request, key: str = "id") -> int:
    """The id in the URL, or HTTP 404."""
    value = parse_id(request.match_info.get(key, ""))
    if value is None:
        raise web.HTTPNotFound(text="Finns inte.")
    return value
