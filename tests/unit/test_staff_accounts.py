"""Staff accounts: argon2 hashing, lockout after repeated failures, disabled accounts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from kontaktcenter.db import get_database
from kontaktcenter.db.migrate import upgrade
from kontaktcenter.staff import StaffDirectory
from kontaktcenter.staff.accounts import FAILED_LOGIN, LOCKED
from kontaktcenter.staff.models import StaffAccount

PASSWORD = "ett-långt-lösenord-42"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def staff(tmp_path: Path, clock: Clock) -> StaffDirectory:
    url = f"sqlite:///{tmp_path / 'staff.db'}"
    upgrade(url)
    directory = StaffDirectory(url, now=clock)
    directory.add("anna", "Anna Andersson", "kommunvägledare", PASSWORD)
    return directory


def test_password_is_stored_as_argon2_hash(staff: StaffDirectory) -> None:
    with staff.db.session() as session:
        row = session.query(StaffAccount).one()
        assert row.password_hash.startswith("$argon2id$")
        assert PASSWORD not in row.password_hash


def test_login_with_right_and_wrong_password(staff: StaffDirectory) -> None:
    assert staff.authenticate("anna", PASSWORD).account.first_name == "Anna"
    assert staff.authenticate("ANNA ", PASSWORD).ok
    wrong = staff.authenticate("anna", "fel-lösenord-123")
    assert not wrong.ok and wrong.message == FAILED_LOGIN
    unknown = staff.authenticate("okänd", PASSWORD)
    assert not unknown.ok and unknown.message == FAILED_LOGIN


def test_lockout_after_repeated_failures(
    staff: StaffDirectory, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kontaktcenter.staff import accounts

    monkeypatch.setattr(accounts, "MAX_FAILURES", 5)  # 100 in production: slow to test
    for _ in range(accounts.MAX_FAILURES - 1):
        assert staff.authenticate("anna", "fel-lösenord-123").message == FAILED_LOGIN
    assert staff.authenticate("anna", "fel-lösenord-123").message == LOCKED
    # Even the right password is refused while locked.
    assert staff.authenticate("anna", PASSWORD).message == LOCKED
    clock.now += timedelta(minutes=16)
    assert staff.authenticate("anna", PASSWORD).ok


def test_disabled_account_cannot_log_in_and_loses_sessions(staff: StaffDirectory) -> None:
    account = staff.authenticate("anna", PASSWORD).account
    token, csrf = staff.create_session(account)
    assert staff.session_account(token) == (account, csrf)
    staff.disable("anna")
    assert staff.session_account(token) is None
    assert not staff.authenticate("anna", PASSWORD).ok
    assert staff.list()[0].disabled


def test_sessions_expire_and_end(staff: StaffDirectory, clock: Clock) -> None:
    account = staff.authenticate("anna", PASSWORD).account
    token, _ = staff.create_session(account)
    assert staff.session_account("not-a-token") is None
    staff.end_session(token)
    assert staff.session_account(token) is None
    token, _ = staff.create_session(account)
    clock.now += timedelta(hours=11)
    assert staff.session_account(token) is None


def test_an_idle_session_ends_and_activity_keeps_it_alive(
    tmp_path: Path, clock: Clock
) -> None:
    url = f"sqlite:///{tmp_path / 'idle.db'}"
    upgrade(url)
    staff = StaffDirectory(url, now=clock, idle_timeout=timedelta(minutes=20))
    staff.add("anna", "Anna Andersson", "kommunvägledare", PASSWORD)
    account = staff.authenticate("anna", PASSWORD).account
    token, csrf = staff.create_session(account)
    for _ in range(6):  # two hours of work, a request every 19 minutes
        clock.now += timedelta(minutes=19)
        assert staff.session_account(token) == (account, csrf)
    clock.now += timedelta(minutes=20)
    assert staff.session_account(token) is None
    clock.now -= timedelta(minutes=19)  # gone for good, not just hidden
    assert staff.session_account(token) is None


def test_the_idle_timeout_comes_from_configuration() -> None:
    from kontaktcenter.settings import Settings

    assert Settings.from_env({}).console_idle_minutes == 30.0
    assert Settings.from_env({"KC_CONSOLE_IDLE_MINUTES": "15"}).console_idle_minutes == 15.0
    with pytest.raises(ValueError, match="KC_CONSOLE_IDLE_MINUTES"):
        Settings.from_env({"KC_CONSOLE_IDLE_MINUTES": "en kvart"})


@pytest.mark.parametrize(
    ("username", "name", "role", "password", "message"),
    [
        ("anna", "Anna B", "kommunvägledare", PASSWORD, "finns redan"),
        ("x", "X", "kommunvägledare", PASSWORD, "Användarnamnet"),
        ("<script>", "X", "kommunvägledare", PASSWORD, "Användarnamnet"),
        ("bo", "<b>Bo</b>", "kommunvägledare", PASSWORD, "Namnet"),
        ("bo", "Bo", "chef", PASSWORD, "Okänd roll"),
        ("bo", "Bo", "registrator", "kort", "minst"),
    ],
)
def test_bad_account_input_gets_swedish_messages(
    staff: StaffDirectory, username: str, name: str, role: str, password: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        staff.add(username, name, role, password)


def test_cli_add_list_disable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    from kontaktcenter.cli import main

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    monkeypatch.setenv("KC_STAFF_PASSWORD", PASSWORD)
    assert main(["staff", "--url", url, "add", "lisa", "--name", "Lisa Larsson",
                 "--role", "registrator"]) == 0
    assert main(["staff", "--url", url, "list"]) == 0
    assert "lisa\tLisa Larsson\tregistrator\taktivt" in capsys.readouterr().out
    assert main(["staff", "--url", url, "disable", "lisa"]) == 0
    assert main(["staff", "--url", url, "disable", "nobody"]) == 2
    assert "Fel: Det finns inget konto nobody." in capsys.readouterr().err
    get_database(url).dispose()
