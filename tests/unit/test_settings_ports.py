"""KC_RASA_PORT moves the URLs the console and the widget use (they ignored it); numbers
from the environment are read one way, with Swedish errors."""

from __future__ import annotations

import pytest

from kontaktcenter.settings import Settings, env_number


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


@pytest.mark.parametrize(("raw", "expected"), [("", 7.0), ("2,5", 2.5), (" 3 ", 3.0)])
def test_env_number_reads_a_number_or_the_default(raw: str, expected: float) -> None:
    assert env_number({"KC_X": raw}, "KC_X", 7.0) == expected


@pytest.mark.parametrize(("raw", "inclusive", "message"), [
    ("snart", False, "KC_X ska vara ett tal, inte 'snart'."),
    ("0", False, "KC_X ska vara större än 0, inte '0'."),
    ("-1", True, "KC_X ska vara minst 0, inte '-1'."),
])
def test_env_number_names_the_variable_in_swedish(raw: str, inclusive: bool,
                                                   message: str) -> None:
    with pytest.raises(ValueError) as error:
        env_number({"KC_X": raw}, "KC_X", 7.0, inclusive=inclusive)
    assert str(error.value) == message
    assert env_number({"KC_X": "0"}, "KC_X", 7.0, inclusive=True) == 0.0
