"""Swedish date and time expressions in chat messages ("på fredag", "julafton", "kl 17").

Plain Python on top of python-dateutil; the Rasa entity extractor in
``rasa_addons.date_entities`` and the actions both call ``parse_date_expression``.
"""

from kontaktcenter.dates.messages import ERROR_MESSAGES, DateErrorKind, error_message
from kontaktcenter.dates.named_days import NAMED_DAYS, named_day, next_named_day
from kontaktcenter.dates.parser import (
    NO_DATE,
    STOCKHOLM,
    DateParse,
    Span,
    parse_date_expression,
)
from kontaktcenter.dates.vocabulary import SwedishParserInfo, swedish_date_text

__all__ = [
    "ERROR_MESSAGES",
    "NAMED_DAYS",
    "NO_DATE",
    "STOCKHOLM",
    "DateErrorKind",
    "DateParse",
    "Span",
    "SwedishParserInfo",
    "error_message",
    "named_day",
    "next_named_day",
    "parse_date_expression",
    "swedish_date_text",
]
