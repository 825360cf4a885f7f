# make run   — the whole app on its embedded defaults (SQLite, filesystem broker, mail to files)
# make dev   — the same with Django's autoreloading development server instead of gunicorn
# make test  — the test suite on DATABASE_URL (SQLite if unset)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The embedded defaults are a development set-up; production sets DJANGO_DEBUG=0 and its secrets.
export DJANGO_DEBUG ?= 1

.PHONY: install run dev test lint format clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt build-constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "pip==26.3"
	$(BIN)/python -m pip install --quiet --build-constraint build-constraints.txt -r requirements.txt
	touch $@

run: install
	./scripts/run.sh

dev: install
	./scripts/run.sh dev

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var staticfiles
