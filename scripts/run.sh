#!/usr/bin/env bash
# Start the whole product: action server, Rasa server (REST + socket.io, API behind a
# token) and the web server (chat widget page, staff console).
# Ctrl-C stops everything started here. `--shell` chats in the terminal instead.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
[ -f var/secrets.env ] && { set -a; . var/secrets.env; set +a; }
: "${KC_RASA_TOKEN:?KC_RASA_TOKEN saknas (make skapar var/secrets.env)}"
ENDPOINTS=${KC_ENDPOINTS:-endpoints.yml}
RASA_PORT=${KC_RASA_PORT:-5005}
ACTIONS_PORT=${KC_ACTIONS_PORT:-5055}
umask 077; mkdir -p var/log; chmod -R go-rwx var  # logs and databases hold personal data

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "Allt som startades är stoppat."
}
trap cleanup INT TERM EXIT

wait_for() {  # url, name, seconds
  local i
  for ((i = 0; i < $3; i++)); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    sleep 1
  done
  echo "$2 startade inte inom $3 s; se var/log/." >&2
  return 1
}

$BIN/python -m rasa_addons.action_server --port "$ACTIONS_PORT" --actions actions >var/log/actions.log 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$ACTIONS_PORT/health" "Action-servern" 60

if [ "${1:-}" = "--shell" ]; then
  $BIN/rasa shell --model models --endpoints "$ENDPOINTS" --quiet
  exit 0
fi

$BIN/python -m rasa_addons.rasa_server run --model models --endpoints "$ENDPOINTS" --credentials credentials.yml \
  --port "$RASA_PORT" --enable-api -i "${KC_RASA_INTERFACE:-127.0.0.1}" \
  --log-file var/log/rasa.log >var/log/rasa-console.log 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$RASA_PORT/" "Rasa-servern" 180

WEB_PORT=${KC_WEB_PORT:-8080}
$BIN/python -m kontaktcenter.web.app --port "$WEB_PORT" >var/log/web.log 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$WEB_PORT/" "Webbservern" 30

cat <<MSG
Helsingborg kontaktcenters chattassistent körs.
  Chatta (webb):  http://localhost:$WEB_PORT/   (exempelsida med chattwidgeten)
  Personal:       http://localhost:$WEB_PORT/console/   (konton: kontaktcenter staff add)
  Chatta (REST):  curl -s localhost:$RASA_PORT/webhooks/rest/webhook -d '{"sender":"test","message":"Hej"}'
  Socket.io:      http://localhost:$RASA_PORT/socket.io
  Rasa-API:       kräver token (KC_RASA_TOKEN i var/secrets.env)
  Loggar:         var/log/
Tryck Ctrl-C för att stoppa.
MSG
wait -n "${pids[@]}"
