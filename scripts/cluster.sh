#!/usr/bin/env bash
# The production layout on one machine: two Rasa servers, two action servers, the web
# server and HAProxy in front, against this machine's PostgreSQL and Redis. Prints the one
# address residents and staff use; Ctrl-C stops everything (docs/operations.md).
#
# Each component runs under the supervisor of scripts/run.sh (scripts/supervise.sh): a
# component that dies is named with its reason and restarted. Databases: the register in
# KC_CLUSTER_DATABASE (default kontaktcenter_cluster), trackers in <name>_trackers, both
# created when missing. Redis: locks and socket.io share KC_REDIS_DB (default 2).
# KC_NOW starts the product's clock as in run.sh; KC_ENV_FILE loads a file first.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=.venv/bin
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
if [ -n "${KC_ENV_FILE:-}" ]; then
  [ -r "$KC_ENV_FILE" ] || { echo "KC_ENV_FILE=$KC_ENV_FILE går inte att läsa." >&2; exit 2; }
  set -a; . "$KC_ENV_FILE"; set +a
fi
# Several Rasa servers share the cores: one TensorFlow thread each, instead of pools per
# server whose threads spin while waiting (docs/performance.md). Set them to override.
export TF_INTER_OP_PARALLELISM_THREADS=${TF_INTER_OP_PARALLELISM_THREADS:-1}
export TF_INTRA_OP_PARALLELISM_THREADS=${TF_INTRA_OP_PARALLELISM_THREADS:-1}
VAR=${KC_VAR_DIR:-var}
# Secrets made by `make` (var/secrets.env); what the environment already has wins.
if [ -f "$VAR/secrets.env" ]; then
  while IFS='=' read -r key value; do
    [[ $key =~ ^KC_[A-Z0-9_]+$ ]] && [ -z "${!key:-}" ] && export "$key=$value"
  done <"$VAR/secrets.env"
fi

PUBLIC_PORT=${KC_CLUSTER_PORT:-8000}
read -r -a RASA_PORTS <<<"${KC_CLUSTER_RASA_PORTS:-5005 5006}"
read -r -a ACTIONS_PORTS <<<"${KC_CLUSTER_ACTIONS_PORTS:-5055 5056}"
API_PORT=${KC_CLUSTER_API_PORT:-5004}
ACTIONS_LB_PORT=${KC_CLUSTER_ACTIONS_LB_PORT:-5054}
WEB_PORT=${KC_WEB_PORT:-8080}
PUBLIC_URL=${KC_CLUSTER_PUBLIC_URL:-http://localhost:$PUBLIC_PORT}
POSTGRES=${KC_CLUSTER_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432}
DATABASE=${KC_CLUSTER_DATABASE:-kontaktcenter_cluster}
REDIS_HOST=${KC_REDIS_HOST:-127.0.0.1}
REDIS_PORT=${KC_REDIS_PORT:-6379}
REDIS_DB=${KC_REDIS_DB:-2}
MODEL=${KC_MODEL:-models}
LOG=$VAR/log/cluster
RUN=$VAR/run/cluster

# What must be on the machine; each missing piece is named.
missing=()
command -v haproxy >/dev/null || missing+=("HAProxy (apt-get install haproxy)")
command -v curl >/dev/null || missing+=("curl")
"$BIN/python" - "$REDIS_HOST" "$REDIS_PORT" <<'PY' || missing+=("Redis på $REDIS_HOST:$REDIS_PORT (starta redis-server)")
import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3).close()
PY
if ((${#missing[@]})); then
  printf 'Klustret kan inte starta, det saknas: %s\n' "${missing[@]}" >&2
  exit 2
fi
# The register and the trackers, each in a database of its own (both have "events").
dbenv=$("$BIN/python" -m kontaktcenter.cluster databases "$POSTGRES" "$DATABASE") || {
  echo "Klustret kan inte starta, det saknas: PostgreSQL ($POSTGRES, se raden ovan)." >&2; exit 2; }
while IFS='=' read -r key value; do export "$key=$(eval "echo $value")"; done <<<"$dbenv"

export KC_ENDPOINTS=endpoints.production.yml
export KC_REDIS_HOST=$REDIS_HOST KC_REDIS_PORT=$REDIS_PORT KC_REDIS_DB=$REDIS_DB
export KC_SOCKETIO_REDIS_URL=${KC_SOCKETIO_REDIS_URL:-redis://$REDIS_HOST:$REDIS_PORT/$REDIS_DB}
export KC_ACTION_ENDPOINT_URL=http://127.0.0.1:$ACTIONS_LB_PORT/webhook
export KC_RASA_URL=http://127.0.0.1:$API_PORT KC_RASA_PUBLIC_URL=$PUBLIC_URL KC_WEB_URL=$PUBLIC_URL
export KC_RASA_INTERFACE=127.0.0.1 KC_VAR_DIR=$VAR KC_SPOOL_DIR=$VAR/spool
# The balancer on this machine adds X-Forwarded-For; trust it from here only.
export KC_TRUSTED_PROXIES=${KC_TRUSTED_PROXIES:-127.0.0.1}
"$BIN/python" -m kontaktcenter.envcheck --root "$PWD" --endpoints "$KC_ENDPOINTS" || exit 2

umask 077  # logs, spools and databases hold personal data: readable by this user only
mkdir -p "$LOG" "$RUN"
rm -f "$RUN"/*.died "$RUN"/*.pid
if [ -n "${KC_NOW:-}" ]; then
  $BIN/python -m kontaktcenter.clock >/dev/null || exit 1
  export KC_NOW KC_NOW_ANCHOR="${KC_NOW_ANCHOR:-$(date +%s.%N)}"
fi
$BIN/kontaktcenter db upgrade >"$LOG/migrate.log" 2>&1 || {
  echo "Registrets databas kunde inte uppgraderas:" >&2; tail -n 20 "$LOG/migrate.log" >&2; exit 1; }

haproxy_args=(--listen "0.0.0.0:$PUBLIC_PORT" --web "127.0.0.1:$WEB_PORT"
  --api-listen "127.0.0.1:$API_PORT" --actions-listen "127.0.0.1:$ACTIONS_LB_PORT")
for port in "${RASA_PORTS[@]}"; do haproxy_args+=(--rasa "127.0.0.1:$port"); done
for port in "${ACTIONS_PORTS[@]}"; do haproxy_args+=(--actions "127.0.0.1:$port"); done
$BIN/python -m kontaktcenter.cluster haproxy "${haproxy_args[@]}" >"$RUN/haproxy.cfg"
haproxy -c -q -f "$RUN/haproxy.cfg" || { echo "HAProxy-konfigurationen är fel: $RUN/haproxy.cfg" >&2; exit 1; }

start_actions() {  # port
  exec $BIN/python -m rasa_addons.action_server --port "$1" --actions actions
}
start_rasa() {  # number, port: each server has its own spool (it drains it at start)
  KC_SPOOL_DIR=$VAR/spool/rasa$1 exec $BIN/python -m rasa_addons.rasa_server run \
    --model "$MODEL" --endpoints "$KC_ENDPOINTS" --credentials credentials.yml \
    --port "$2" --enable-api --log-file "$LOG/rasa$1.log"
}
start_web() {
  exec $BIN/python -m kontaktcenter.web.app --port "$WEB_PORT"
}
start_haproxy() {
  exec haproxy -db -f "$RUN/haproxy.cfg"
}

. scripts/supervise.sh  # say, why, supervise, cleanup, wait_for
stop_all_on_exit

i=0
for port in "${ACTIONS_PORTS[@]}"; do
  i=$((i + 1))
  supervise "actions$i" "Action-server $i" "$LOG/actions$i.log" start_actions "$port" &
  sups+=($!)
done
supervise haproxy HAProxy "$LOG/haproxy.log" start_haproxy &
sups+=($!)
supervise web Webbservern "$LOG/web.log" start_web &
sups+=($!)
i=0
for port in "${ACTIONS_PORTS[@]}"; do
  i=$((i + 1)); wait_for "http://127.0.0.1:$port/health" "Action-server $i" 90 "actions$i"
done
wait_for "http://127.0.0.1:$WEB_PORT/" "Webbservern" 60 web
wait_for "http://127.0.0.1:$PUBLIC_PORT/" "HAProxy" 30 haproxy
# One after the other: the first creates the trackers' table, and two servers loading
# their models at once on a small machine are no faster than one after the other.
i=0
for port in "${RASA_PORTS[@]}"; do
  i=$((i + 1))
  supervise "rasa$i" "Rasa-server $i" "$LOG/rasa$i-console.log" start_rasa "$i" "$port" &
  sups+=($!)
  wait_for "http://127.0.0.1:$port/webhooks/health/" "Rasa-server $i" 300 "rasa$i"
done
# Residents are spread only over servers HAProxy has seen healthy.
wait_for "http://127.0.0.1:$API_PORT/balancer/all-up" "HAProxy (alla Rasa-servrar uppe)" 30 haproxy
rm -f "$RUN"/*.died  # from here on a death means a restart, not a failed start

cat <<MSG
Helsingborg kontaktcenter körs som kluster (${#RASA_PORTS[@]} Rasa-servrar, ${#ACTIONS_PORTS[@]} action-servrar, HAProxy).
  Invånare och personal: $PUBLIC_URL/   (konsolen: $PUBLIC_URL/console/)
  Databaser: $DATABASE (diariet) och ${DATABASE}_trackers (Rasa) på $POSTGRES
  Redis: $REDIS_HOST:$REDIS_PORT db $REDIS_DB (lås och socket.io)
  Loggar: $LOG/ (omstarter: $LOG/supervisor.log)
Tryck Ctrl-C för att stoppa.
MSG
wait "${sups[@]}"
