"""Delivery ids: a resident's message is kept once, however often the widget sends it.

The widget gives every message a random id and sends it again, with the same id, when no
acknowledgement came before the connection broke (a Rasa server killed mid-turn, a lost
network). The id travels in the message's metadata under :data:`DELIVERY_KEY`:

* the processor (rasa_addons/processor.py) does not handle a message twice: when the
  conversation already holds that id, the answers given then are sent again instead;
* the register keys such a message by the id, not by its arrival time
  (kontaktcenter/records/rasa_events.py), so a copy that reached the spool on the server
  that died and again on the one that took over is one record.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

DELIVERY_KEY = "kc_delivery"
_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


def delivery_id(value: Any) -> str | None:
    """The id when it is well-formed (8-64 URL-safe characters), else None."""
    return value if isinstance(value, str) and _ID.fullmatch(value) else None


def delivery_of(metadata: Any) -> str | None:
    """The delivery id a message's metadata carries, if any."""
    return delivery_id(metadata.get(DELIVERY_KEY)) if isinstance(metadata, Mapping) else None
