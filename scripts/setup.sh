#!/usr/bin/env bash
# Install what pilot-intake needs on a Debian/Ubuntu machine: system packages
# (tesseract with Chinese data, CJK fonts, poppler, ghostscript, PostgreSQL for the
# store tests) and a virtual environment in .venv with the package and its extras.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

EXTRAS="${1:-test}"
APT_PACKAGES=(tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng fonts-noto-cjk fonts-wqy-zenhei
              poppler-utils ghostscript postgresql python3-venv)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing system packages: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  for cand in python3.13 python3.12 python3.11 python3; do
    if command -v "$cand" >/dev/null && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      PY="$cand"; break
    fi
  done
fi
[ -n "$PY" ] || { echo "error: pilot-intake needs Python 3.11 or newer (apt-get install python3.11)" >&2; exit 3; }

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=".venv/.installed-$EXTRAS-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "installing pilot-intake[$EXTRAS] into .venv (first run only)" >&2
  log="$(mktemp)"
  # Quiet on success; the whole log on failure.
  if ! { .venv/bin/python -m pip install -q --upgrade pip && .venv/bin/python -m pip install -q -e ".[$EXTRAS]"; } >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; exit 1
  fi
  rm -f "$log"
  touch "$stamp"
fi
