# The two commands of the README, plus a few helpers.
.PHONY: run test bench screenshots i18n
export REFLEX_USE_NPM := 1

run:
	@bash scripts/bootstrap.sh run
	@.venv/bin/python -m portal.cli run

test:
	@bash scripts/bootstrap.sh test
	@.venv/bin/python -m pytest

bench:
	@bash scripts/bootstrap.sh test
	@.venv/bin/python -m benchmarks

screenshots:
	@bash scripts/bootstrap.sh test
	@.venv/bin/python scripts/screenshots.py

i18n:
	@.venv/bin/python scripts/i18n_update.py
