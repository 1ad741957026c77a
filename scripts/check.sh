#!/usr/bin/env bash
# All tests, from a fresh Debian 12 machine: installs what is needed, makes the
# sample dumps (cached in ${PTWALK_CACHE:-~/.cache/ptwalk}), then `make check`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
make check
