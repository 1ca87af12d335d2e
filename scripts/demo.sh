#!/usr/bin/env bash
# Set up (if needed) and run pilot-intake end to end on the bundled demo batch.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
OUT="${1:-out/demo}"
.venv/bin/pilot-intake process samples/demo/batch --out "$OUT" \
  --registry samples/demo/truth/registry.csv
echo "outputs: $OUT/records.jsonl, $OUT/review.xlsx, $OUT/redacted/"
