"""Handing a chat over to a kommunvägledare: the queue, its moves and callbacks.

Plain Python (no Rasa). The Rasa action ``action_request_human`` queues an ärende; the
staff console takes it over, hands it back or on, and closes it.
"""

from kontaktcenter.handover.config import HandoverSettings
from kontaktcenter.handover.contact import Contact, clean_question, parse_contact
from kontaktcenter.handover.service import (
    ACTIVE,
    BACK_TO_BOT,
    CLOSED,
    QUEUED,
    TIMED_OUT,
    WITH_AGENT,
    CallbackInfo,
    HandoverError,
    HandoverInfo,
    HandoverNotFound,
    HandoverService,
    NoAgentAvailable,
    QueueTicket,
)

__all__ = [
    "ACTIVE",
    "BACK_TO_BOT",
    "CLOSED",
    "QUEUED",
    "TIMED_OUT",
    "WITH_AGENT",
    "CallbackInfo",
    "Contact",
    "HandoverError",
    "HandoverInfo",
    "HandoverNotFound",
    "HandoverService",
    "HandoverSettings",
    "NoAgentAvailable",
    "QueueTicket",
    "clean_question",
    "parse_contact",
]
