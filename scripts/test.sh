#!/usr/bin/env bash
# Set up (if needed), start a throwaway PostgreSQL for the store tests, run the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
if [ -z "${PILOT_INTAKE_TEST_PG_URL:-}" ]; then
  PG_URL="$(bash scripts/pg-test-server.sh start)" && export PILOT_INTAKE_TEST_PG_URL="$PG_URL"
  trap 'bash scripts/pg-test-server.sh stop' EXIT
fi
.venv/bin/python -m pytest "$@"
