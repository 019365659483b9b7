#!/usr/bin/env bash
# Run the whole CI suite (.ci/run = make test) with the system date moved, as issue 9 asks:
#   scripts/ci_at.sh "2027-12-31 23:50"        (local time, Europe/Stockholm)
# Every process the suite starts sees that date (Debian's libfaketime, installed by apt when
# run as root); the clock then runs on from there, crossing midnight if it is near. The
# machine's PostgreSQL and Redis keep the real clock, and so does HAProxy (under libfaketime
# its health checks timed out and marked busy Rasa servers down): the product never asks
# them the time.
# tests/tools/faketime_futex.c keeps TensorFlow's raw futex deadlines on the real clock
# (without it a model load now and then hangs under libfaketime). Chromium is started
# without libfaketime (tests/browser/conftest.py).
# FAKETIME_FORCE_MONOTONIC_FIX=0: with libfaketime's default, every condition-variable wait
# goes through its monotonic fix, and a hand-over between two threads (Python's GIL, a queue)
# took 10 to 50 times longer (1.9-6.4 s against 0.1 s for 5,000 hand-overs, measured with
# python3.10). The whole suite then ran 1.7x slower and busy Rasa servers missed HAProxy's
# health checks. Timed waits still end on time with it off (Python waits on CLOCK_MONOTONIC,
# which is not faked here).
set -euo pipefail
cd "$(dirname "$0")/.."
when=${1:?'usage: scripts/ci_at.sh "YYYY-MM-DD HH:MM" (Stockholm time)'}
LIBFAKETIME=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
if [ ! -e "$LIBFAKETIME" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null
  else
    echo "libfaketime saknas: apt-get install faketime" >&2; exit 1
  fi
fi
# Packages and the model are set up on the real clock first: a year ahead, the package
# index's TLS certificates would not be valid yet (or no longer).
make setup models/kontaktcenter.tar.gz
mkdir -p var
gcc -shared -fPIC -O2 -o var/faketime_futex.so tests/tools/faketime_futex.c -ldl
target=$(TZ=Europe/Stockholm date -d "$when" +%s)
offset=$((target - $(date +%s)))
echo "Systemdatum för körningen: $(TZ=Europe/Stockholm date -d "@$target") (förskjutning ${offset} s)"
export FAKETIME="+${offset}s" FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_FORCE_MONOTONIC_FIX=0 \
  FAKETIME_SKIP_CMDS=haproxy
export LD_PRELOAD="$PWD/var/faketime_futex.so:$LIBFAKETIME${LD_PRELOAD:+:$LD_PRELOAD}"
date
bash .ci/run
