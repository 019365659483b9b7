"""The public-record register (allmän handling): every chat session is an ärende.

Plain Python, no Rasa imports. Entry point: :func:`get_register`.
"""

from kontaktcenter.records.info import CaseDetail, CaseInfo, MessageInfo
from kontaktcenter.records.register import (
    AccessDenied,
    CaseNotFound,
    RecordOutcome,
    Register,
    get_register,
)

__all__ = [
    "AccessDenied",
    "CaseDetail",
    "CaseInfo",
    "CaseNotFound",
    "MessageInfo",
    "RecordOutcome",
    "Register",
    "get_register",
]
