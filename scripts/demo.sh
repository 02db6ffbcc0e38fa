#!/usr/bin/env bash
# One command: install (idempotent) and run a short paper-trading demo on the simulated counter.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec .venv/bin/python -m vnpy_ctpsopt demo "$@"
