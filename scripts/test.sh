#!/usr/bin/env bash
# One command: install (idempotent) and run the whole test suite (pytest runs ruff and mypy too).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export TZ=Asia/Shanghai
set +e
# Two workers (pytest-xdist) on CI's two cores; PYTEST_WORKERS=0 runs in one process.
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" "$@"
rc=$?
set -e
if [ "$rc" = 5 ]; then
  echo "no tests ran: failing" >&2
  exit 1
fi
exit "$rc"
