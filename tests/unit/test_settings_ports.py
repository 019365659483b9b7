"""KC_RASA_PORT moves the URLs the console and the widget use (they ignored it)."""

from __future__ import annotations

from kontaktcenter.settings import Settings


def test_rasa_port_moves_both_urls() -> None:
    settings = Settings.from_env({"KC_HOME": "/tmp", "KC_RASA_PORT": "5999"})
    assert settings.rasa_url == "http://127.0.0.1:5999"
    assert settings.rasa_public_url == "http://localhost:5999"


def test_explicit_urls_win_over_the_port() -> None:
    settings = Settings.from_env({"KC_HOME": "/tmp", "KC_RASA_PORT": "5999",
                                  "KC_RASA_URL": "http://rasa:1", "KC_RASA_PUBLIC_URL": "https://c"})
    assert (settings.rasa_url, settings.rasa_public_url) == ("http://rasa:1", "https://c")


def test_default_port() -> None:
    assert Settings.from_env({"KC_HOME": "/tmp"}).rasa_url == "http://127.0.0.1:5005"


def test_conversation_secret_from_env_never_printed() -> None:
    settings = Settings.from_env({"KC_HOME": "/tmp", "KC_CONVERSATION_SECRET": "s3cr3t"})
    assert settings.conversation_secret == "s3cr3t" and "s3cr3t" not in repr(settings)
