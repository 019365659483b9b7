"""The launchers keep secrets off the command line and bind to loopback by default."""

from __future__ import annotations

import pytest

from rasa_addons.action_server import is_loopback, main
from rasa_addons.rasa_server import rasa_argv

ENV = {"KC_RASA_TOKEN": "t0ken"}


def test_rasa_gets_token_jwt_secret_and_loopback_from_the_environment() -> None:
    argv = rasa_argv(["run", "--enable-api", "--port", "5005"], ENV)
    assert argv[:4] == ["rasa", "run", "--enable-api", "--port"]
    assert argv[argv.index("--interface") + 1] == "127.0.0.1"
    assert argv[argv.index("--auth-token") + 1] == "t0ken"
    assert argv[argv.index("--jwt-secret") + 1] == "t0ken"


def test_an_explicit_interface_is_kept() -> None:
    argv = rasa_argv(["run", "-i", "0.0.0.0"], {**ENV, "KC_RASA_INTERFACE": "10.0.0.1"})
    assert "--interface" not in argv and argv[argv.index("-i") + 1] == "0.0.0.0"
    argv = rasa_argv(["run"], {**ENV, "KC_RASA_INTERFACE": "10.0.0.1"})
    assert argv[argv.index("--interface") + 1] == "10.0.0.1"


@pytest.mark.parametrize("args", [["run", "--auth-token", "x"], ["run", "--jwt-secret=x"]])
def test_secrets_on_the_command_line_are_refused(args: list[str]) -> None:
    with pytest.raises(SystemExit, match="kommandoraden"):
        rasa_argv(args, ENV)


def test_no_token_no_server() -> None:
    with pytest.raises(SystemExit, match="KC_RASA_TOKEN saknas"):
        rasa_argv(["run"], {})


def test_only_rasa_run() -> None:
    with pytest.raises(SystemExit):
        rasa_argv(["run", "actions"], ENV)
    with pytest.raises(SystemExit):
        rasa_argv(["shell"], ENV)


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("localhost", True),
                                                ("::1", True), ("0.0.0.0", False),
                                                ("10.1.2.3", False), ("example.se", False)])
def test_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_action_server_off_loopback_needs_the_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("KC_ACTION_TOKEN", raising=False)
    assert main(["--host", "0.0.0.0", "--port", "1"]) == 2
    assert "KC_ACTION_TOKEN saknas" in capsys.readouterr().err
