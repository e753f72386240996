#!/usr/bin/env bash
# Refreshes the locked Python dependencies of requirements/ from pyproject.toml, for Python 3.11:
# versions on PyPI that its ranges allow (the pins already there where they still fit), each
# with the hashes of every file PyPI has for it. dev.txt is what scripts/install-deps.sh
# installs (all three processes, the local stack, the tests); api.txt, worker.txt and
# triage.txt are what a deployment of one process installs, each held to dev.txt's versions so
# that what is deployed is what the tests ran.
#
#   bash scripts/lock-deps.sh                           # after changing pyproject.toml
#   bash scripts/lock-deps.sh --upgrade                 # the newest versions of everything
#   bash scripts/lock-deps.sh --upgrade-package flask   # of one package
#
# Then `bash scripts/install-deps.sh` (it reinstalls when a lock is newer than the venv).
set -euo pipefail
cd "$(dirname "$0")/.."
uv_version=0.13.9
[ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
if [ "$(.venv/bin/uv --version 2>/dev/null | cut -d' ' -f2)" != "$uv_version" ]; then
  .venv/bin/pip install -q "uv==$uv_version"
fi
# --no-config: PyPI only, whatever index or wheel folder this machine's pip or uv is set up with.
compile=(.venv/bin/uv pip compile pyproject.toml --no-config --quiet --generate-hashes
         --python-version 3.11 --custom-compile-command "bash scripts/lock-deps.sh" "$@")
"${compile[@]}" --extra dev -o requirements/dev.txt
for group in api worker triage; do
  "${compile[@]}" --extra "$group" --constraints requirements/dev.txt -o "requirements/$group.txt"
done
