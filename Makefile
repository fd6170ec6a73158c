# The two commands: `make run` and `make test` (lint, the suite, coverage). Only Python 3.11+ is needed on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
FLASK = $(BIN)/flask --app wsgi

.PHONY: run test install lint format bench clean translations

$(BIN)/activate:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

run: install
	$(FLASK) db upgrade
	$(FLASK) demo
	$(FLASK) run --host 127.0.0.1 --port 5000

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -n auto --cov --cov-report=term

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/notices.py

translations: install
	$(BIN)/pybabel -q extract -F workflow/translations/babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o workflow/translations/messages.pot .
	$(BIN)/pybabel -q update --no-fuzzy-matching -i workflow/translations/messages.pot -d workflow/translations
	$(BIN)/pybabel -q compile -d workflow/translations

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
