# The two commands of the README. Each installs what is missing first.
.PHONY: dev test deps lint bench

deps:
	@bash scripts/install-deps.sh

dev: deps
	.venv/bin/support-stack start

test: deps
	.venv/bin/ruff check .
	.venv/bin/pytest $(PYTEST_ARGS)

bench:
	@WITH_BENCH=1 bash scripts/install-deps.sh
	.venv/bin/python -m bench
