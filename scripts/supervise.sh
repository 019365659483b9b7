# Supervision shared by scripts/run.sh and scripts/cluster.sh (sourced, not run).
# The caller sets LOG (log directory) and RUN (pid files) and starts each component with
#   supervise ID NAME LOGFILE START_FUNCTION [ARGS...] &   sups+=($!)
#   wait_for URL NAME SECONDS ID
# When a component dies, the reason (exit code or signal and the tail of its log) is
# shown at once; during start-up wait_for stops everything, afterwards the component is
# restarted with backoff (1 s doubling to 60 s; reset after 60 s up). `stop_all_on_exit`
# makes Ctrl-C, TERM or the script's end stop everything started here.

say() {  # a supervisor line on the terminal and in $LOG/supervisor.log
  echo "[$(date '+%F %T')] $*" | tee -a "$LOG/supervisor.log" >&2
}

why() {  # exit status -> words
  if (($1 > 128)); then echo "signal $(kill -l $(($1 - 128)) 2>/dev/null || echo $(($1 - 128)))"
  else echo "kod $1"; fi
}

supervise() {  # id, name, log file, start function, its arguments
  local id=$1 name=$2 log=$3 start=$4 child=0 rc delay=1 since
  shift 4
  trap 'kill "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 0' TERM INT
  while :; do
    since=$SECONDS
    "$start" "$@" >>"$log" 2>&1 &
    child=$!
    echo "$child" >"$RUN/$id.pid"
    rc=0; wait "$child" || rc=$?
    touch "$RUN/$id.died"
    say "$name (pid $child) avslutades ($(why "$rc")) efter $((SECONDS - since)) s. Sista raderna i $log:"
    tail -n 15 "$log" | sed 's/^/    | /' | tee -a "$LOG/supervisor.log" >&2
    ((SECONDS - since >= 60)) && delay=1
    say "$name startas om om $delay s."
    sleep "$delay" & child=$!
    wait "$child" || true
    delay=$((delay * 2 > 60 ? 60 : delay * 2))
  done
}

sups=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${sups[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -f "$RUN"/*.pid
  echo "Allt som startades är stoppat."
}

stop_all_on_exit() {  # a signal stops everything and ends the script (also mid start-up)
  trap 'cleanup; exit 130' INT
  trap 'cleanup; exit 143' TERM
  trap cleanup EXIT
}

wait_for() {  # url, name, seconds, id: ready, or the component died / timed out
  local i
  for ((i = 0; i < $3 * 2; i++)); do
    if [ -e "$RUN/$4.died" ]; then
      echo "$2 kunde inte starta (se raderna ovan och $LOG/). Allt stoppas." >&2
      return 1
    fi
    if curl -fsS --max-time 2 -o /dev/null "$1" 2>/dev/null; then return 0; fi
    sleep 0.5
  done
  echo "$2 startade inte inom $3 s; se $LOG/." >&2
  return 1
}
