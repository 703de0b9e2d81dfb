#!/usr/bin/env bash
# The test job: set up, start the services tests talk to (scripts/services/*.sh), run ruff and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
for s in scripts/services/*.sh; do
  [ -e "$s" ] || continue
  # shellcheck disable=SC1090
  source "$s"
done
.venv/bin/ruff check src tests benchmarks
.venv/bin/python -m pytest "$@"
