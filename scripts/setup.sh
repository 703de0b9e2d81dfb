#!/usr/bin/env bash
# Set up everything gongkai needs on a fresh machine: Debian packages (scripts/apt-packages.txt),
# a virtual environment in .venv with the package and its extras. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=()
while read -r p; do
  p="${p%%#*}"; p="$(echo "$p" | xargs)"
  [ -n "$p" ] || continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || pkgs+=("$p")
done < scripts/apt-packages.txt
if [ ${#pkgs[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${pkgs[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
fi

PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q -e ".[all]" 2>&1 | grep -v -E "^(WARNING: Location|  )" || true
.venv/bin/python -c "import gongkai" 
