"""kontaktcenter.cluster: the HAProxy configuration and the databases' variables (issue 15).

The configuration is run (and syntax-checked by haproxy -c) in tests/cluster; here its
promises are pinned: sticky socket.io, websocket allowed, Rasa's API never public, health
checks, forwardfor.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kontaktcenter.cluster import (
    ALL_UP,
    NO_PASSWORD,
    STICKY_COOKIE,
    Layout,
    ensure_databases,
    haproxy_config,
    production_env,
)

ROOT = Path(__file__).resolve().parents[2]
LAYOUT = Layout("0.0.0.0:8000", ["127.0.0.1:5005", "127.0.0.1:5006"], ["127.0.0.1:8080"],
                ["127.0.0.1:5055", "127.0.0.1:5056"])


def section(config: str, name: str) -> str:
    """The lines of one section ("backend rasa"), up to the next blank line."""
    start = config.index("\n" + name + "\n") + 1
    end = config.find("\n\n", start)
    return config[start:end if end > 0 else None]


def test_residents_stick_to_one_rasa_server_which_is_health_checked() -> None:
    rasa = section(haproxy_config(LAYOUT), "backend rasa")
    assert f"cookie {STICKY_COOKIE} insert indirect nocache httponly" in rasa
    assert "option persist" in rasa
    assert "option httpchk GET /webhooks/health/" in rasa
    assert "server rasa1 127.0.0.1:5005 check cookie rasa1" in rasa
    assert "server rasa2 127.0.0.1:5006 check cookie rasa2" in rasa


def test_forwardfor_redispatch_and_a_websocket_tunnel_timeout_for_everything() -> None:
    defaults = section(haproxy_config(LAYOUT), "defaults")
    for line in ("option forwardfor", "option redispatch", "timeout tunnel 1h", "mode http"):
        assert line in defaults, line


def test_only_the_channels_reach_rasa_from_outside_and_its_api_stays_inside() -> None:
    config = haproxy_config(LAYOUT)
    public = section(config, "frontend kontaktcenter")
    assert "acl to_rasa path_beg /socket.io /webhooks/rest/" in public
    assert "http-request deny deny_status 404 if rasa_api" in public
    assert "/conversations" in public and "default_backend web" in public
    api = section(config, "frontend rasa_api")
    assert "bind 127.0.0.1:5004" in api
    assert f"monitor-uri {ALL_UP}" in api and "nbsrv(rasa) lt 2" in api
    actions = section(config, "backend actions")
    assert "option httpchk GET /health" in actions and "actions2 127.0.0.1:5056" in actions


def test_the_committed_example_is_what_the_generator_writes() -> None:
    generated = haproxy_config(Layout(
        "0.0.0.0:8000", ["127.0.0.1:5005", "127.0.0.1:5006"], ["127.0.0.1:8080"],
        ["127.0.0.1:5055", "127.0.0.1:5056"]))
    assert (ROOT / "deploy" / "haproxy.cfg").read_text(encoding="utf-8") == generated


def test_no_rasa_server_no_configuration() -> None:
    with pytest.raises(ValueError, match="Rasa-server"):
        haproxy_config(Layout("0.0.0.0:8000", [], ["127.0.0.1:8080"]))


def test_the_databases_variables_keep_trackers_and_register_apart() -> None:
    env = production_env("postgresql://kc:hemligt@db.example:5433", "kc", "kc_trackers")
    assert env["KC_DATABASE_URL"] == "postgresql://kc:hemligt@db.example:5433/kc"
    assert (env["KC_TRACKER_DB_HOST"], env["KC_TRACKER_DB_PORT"]) == ("db.example", "5433")
    assert (env["KC_TRACKER_DB_NAME"], env["KC_TRACKER_DB_USER"]) == ("kc_trackers", "kc")
    assert env["KC_TRACKER_DB_PASSWORD"] == "hemligt"
    trusted = production_env("postgresql://postgres@127.0.0.1", "a", "b")
    assert trusted["KC_TRACKER_DB_PASSWORD"] == NO_PASSWORD


def test_database_names_are_checked_before_anything_is_created() -> None:
    with pytest.raises(ValueError, match="databasnamn"):
        ensure_databases("postgresql://postgres@127.0.0.1:1", ['kc"; DROP'])
