#!/usr/bin/env bash
# Make (or mend) the virtual environment:   scripts/venv.sh .venv
# Uses python3.11, or python3 when that is 3.11; a venv that lacks pip or has another Python is made again.
set -euo pipefail
venv=${1:?usage: scripts/venv.sh VENV}
is311() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; }
if [ -x "$venv/bin/python" ] && is311 "$venv/bin/python" && "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
  exit 0
fi
python=""
for candidate in python3.11 python3; do
  if command -v "$candidate" >/dev/null && is311 "$candidate"; then python=$candidate; break; fi
done
if [ -z "$python" ]; then
  case "$(uname -s)" in
    Darwin) how="brew install python@3.11" ;;
    *) how="install Python 3.11 (e.g. apt install python3.11 python3.11-venv, or from python.org)" ;;
  esac
  echo "error: the build needs Python 3.11 (TensorFlow's wheels); found $(python3 --version 2>&1 || echo none). $how" >&2
  exit 1
fi
rm -rf "$venv"
if ! "$python" -m venv "$venv"; then
  rm -rf "$venv"
  echo "error: $python cannot make a virtual environment; on Debian and Ubuntu: apt install python3.11-venv" >&2
  exit 1
fi
"$venv/bin/python" -m pip install -q --upgrade pip
