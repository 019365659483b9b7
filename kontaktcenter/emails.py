"""The one e-mail address pattern, used by masking and by the contact form."""

from __future__ import annotations

import re

# An address inside free text: local part, @, domain with a letters-only top level.
EMAIL_RE = re.compile(
    r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w@])", re.UNICODE
)
MAX_EMAIL_CHARS = 254


def is_email(value: str) -> bool:
    """True when ``value`` is one whole address (and not too long to deliver)."""
    return len(value) <= MAX_EMAIL_CHARS and EMAIL_RE.fullmatch(value) is not None
