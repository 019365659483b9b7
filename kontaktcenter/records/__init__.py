"""The public-record register (allmän handling): every chat session is an ärende.

Plain Python, no Rasa imports. Entry point: :func:`get_register`.
"""

from kontaktcenter.records.errors import AccessDenied, CaseNotFound
from kontaktcenter.records.info import CaseDetail, CaseInfo, MessageInfo
from kontaktcenter.records.register import (
    CaseSearch,
    RecordOutcome,
    Register,
    get_register,
)

__all__ = [
    "AccessDenied",
    "CaseDetail",
    "CaseInfo",
    "CaseNotFound",
    "CaseSearch",
    "MessageInfo",
    "RecordOutcome",
    "Register",
    "get_register",
]
