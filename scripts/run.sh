#!/usr/bin/env bash
# Start the whole product: action server, Rasa server (REST + socket.io, API behind a
# token) and the web server (chat widget page, staff console).
# Each runs under a supervisor (scripts/supervise.sh): when one dies, the reason (exit
# code or signal and the tail of its log) is shown at once; during start-up that stops
# everything, afterwards the component is restarted with backoff (1 s doubling to 60 s).
# Ctrl-C stops everything started here. `--shell` chats in the terminal instead.
# Environment: deploy/kontaktcenter.env.example (KC_ENV_FILE=file loads one), checked
# by `python -m kontaktcenter.envcheck` before anything starts.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
if [ -n "${KC_ENV_FILE:-}" ]; then
  [ -r "$KC_ENV_FILE" ] || { echo "KC_ENV_FILE=$KC_ENV_FILE går inte att läsa." >&2; exit 2; }
  set -a; . "$KC_ENV_FILE"; set +a
fi
[ -f var/secrets.env ] && { set -a; . var/secrets.env; set +a; }
ENDPOINTS=${KC_ENDPOINTS:-endpoints.yml}
"$BIN/python" -m kontaktcenter.envcheck --root "$PWD" --endpoints "$ENDPOINTS" || exit 2
RASA_PORT=${KC_RASA_PORT:-5005}
ACTIONS_PORT=${KC_ACTIONS_PORT:-5055}
WEB_PORT=${KC_WEB_PORT:-8080}
LOG=var/log
RUN=var/run
umask 077  # logs and databases hold personal data: readable by this user only
mkdir -p "$LOG" "$RUN"
chmod -R go-rwx var
rm -f "$RUN"/*.died "$RUN"/*.pid

# KC_NOW=2026-12-24T10:00 starts the product's clock at that Stockholm time (README);
# one anchor makes the action server, Rasa and the web server share that clock.
if [ -n "${KC_NOW:-}" ]; then
  $BIN/python -m kontaktcenter.clock >/dev/null || exit 1
  export KC_NOW KC_NOW_ANCHOR="${KC_NOW_ANCHOR:-$(date +%s.%N)}"
fi

# The three launch commands (exec: the supervisor's child is the server itself).
# The action server binds 127.0.0.1 and, with KC_ACTION_TOKEN, wants Rasa's secret header;
# Rasa reads its API token from the environment (never the process list) and binds
# KC_RASA_INTERFACE (default 127.0.0.1).
start_actions() {
  exec $BIN/python -m rasa_addons.action_server --port "$ACTIONS_PORT" --actions actions
}
start_rasa() {
  exec $BIN/python -m rasa_addons.rasa_server run --model models --endpoints "$ENDPOINTS" \
    --credentials credentials.yml --port "$RASA_PORT" --enable-api \
    -i "${KC_RASA_INTERFACE:-127.0.0.1}" --log-file "$LOG/rasa.log"
}
start_web() {
  exec $BIN/python -m kontaktcenter.web.app --port "$WEB_PORT"
}

. scripts/supervise.sh  # say, why, supervise, cleanup, wait_for
stop_all_on_exit

supervise actions Action-servern "$LOG/actions.log" start_actions &
sups+=($!)
wait_for "http://127.0.0.1:$ACTIONS_PORT/health" "Action-servern" 60 actions

if [ "${1:-}" = "--shell" ]; then
  $BIN/rasa shell --model models --endpoints "$ENDPOINTS" --quiet
  exit 0
fi

supervise rasa Rasa-servern "$LOG/rasa-console.log" start_rasa &
sups+=($!)
wait_for "http://127.0.0.1:$RASA_PORT/" "Rasa-servern" 180 rasa

supervise web Webbservern "$LOG/web.log" start_web &
sups+=($!)
wait_for "http://127.0.0.1:$WEB_PORT/" "Webbservern" 30 web

cat <<MSG
Helsingborg kontaktcenters chattassistent körs.
  Chatta (webb):  http://localhost:$WEB_PORT/   (exempelsida med chattwidgeten)
  Personal:       http://localhost:$WEB_PORT/console/   (konton: kontaktcenter staff add)
  Chatta (REST):  curl -s localhost:$RASA_PORT/webhooks/rest/webhook -d '{"sender":"test","message":"Hej"}'
  Socket.io:      http://localhost:$RASA_PORT/socket.io
  Rasa-API:       kräver token (KC_RASA_TOKEN i var/secrets.env)
  Registrets hälsa: http://localhost:$RASA_PORT/webhooks/health/  (och /metrics)
  Loggar:         $LOG/ (omstarter: $LOG/supervisor.log)
Tryck Ctrl-C för att stoppa.
MSG
wait "${sups[@]}"
