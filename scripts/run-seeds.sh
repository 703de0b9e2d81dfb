#!/usr/bin/env bash
# The main job: set up, then read the seed reports and print what was found.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
seeds="${1:-../shared/seeds}"
[ -d "$seeds" ] || seeds=tests/fixtures/seeds
.venv/bin/gongkai parse "$seeds"
