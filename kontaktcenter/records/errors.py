"""Errors the register raises to its callers (console, CLI, release, disposal)."""

from __future__ import annotations


class CaseNotFound(LookupError):
    def __init__(self, diarienummer: str) -> None:
        super().__init__(f"Det finns inget ärende med diarienummer {diarienummer}.")
        self.diarienummer = diarienummer


class AccessDenied(PermissionError):
    """The role may not read originals; the attempt is in the audit log."""
