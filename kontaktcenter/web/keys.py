"""Keys of values the web application shares between its areas (no imports of areas)."""

from __future__ import annotations

# The process's Settings; a plain string so tests can set it on a bare application.
SETTINGS_KEY = "kontaktcenter.settings"
