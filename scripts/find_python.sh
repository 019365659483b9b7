#!/usr/bin/env sh
# Print the path of a Python 3.10 interpreter (Rasa 3.6 needs it), or explain and fail.
# Order: KC_PYTHON, python3.10 on PATH (if it really runs), pyenv's 3.10.x versions.
is_310() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; }

if [ -n "${KC_PYTHON:-}" ] && is_310 "$KC_PYTHON"; then echo "$KC_PYTHON"; exit 0; fi
for cand in python3.10 python3 python; do
  p=$(command -v "$cand" 2>/dev/null) || continue
  if is_310 "$p"; then echo "$p"; exit 0; fi
done
roots="${PYENV_ROOT:-} $HOME/.pyenv"
command -v pyenv >/dev/null 2>&1 && roots="$(pyenv root) $roots"
for root in $roots; do
  for p in "$root"/versions/3.10*/bin/python3.10; do
    if [ -x "$p" ] && is_310 "$p"; then echo "$p"; exit 0; fi
  done
done
cat >&2 <<'MSG'
Hittar ingen Python 3.10 (Rasa Open Source 3.6 kräver Python 3.10).
Installera den, till exempel med 'apt-get install python3.10 python3.10-venv'
eller 'pyenv install 3.10', eller peka ut den med KC_PYTHON=/sökväg/till/python3.10.
MSG
exit 1
