# Palava — developer entry points. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-postgres check bench fmt messages openapi clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test,dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/palava demo $(if $(PORT),--port $(PORT)) $(if $(DATA_DIR),--data-dir $(DATA_DIR))

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

test-postgres: $(STAMP)
	bash scripts/with-postgres.sh $(BIN)/pytest $(PYTEST_ARGS)

check: $(STAMP)
	$(BIN)/ruff check palava tests bench
	$(BIN)/ruff format --check palava tests bench
	$(BIN)/mypy palava tests
	DJANGO_SETTINGS_MODULE=palava.config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=palava.config.settings.test $(BIN)/python manage.py openapi --check
	$(BIN)/djlint --check palava/templates
	$(BIN)/djlint --lint palava/templates

openapi: $(STAMP)
	DJANGO_SETTINGS_MODULE=palava.config.settings.test $(BIN)/python manage.py openapi --write

messages: $(STAMP)
	cd palava && DJANGO_SETTINGS_MODULE=palava.config.settings.test ../$(BIN)/python ../manage.py makemessages -l fr -l ar --no-obsolete && DJANGO_SETTINGS_MODULE=palava.config.settings.test ../$(BIN)/python ../manage.py compilemessages

bench: $(STAMP)
	$(BIN)/python bench/run.py

fmt: $(STAMP)
	$(BIN)/ruff format palava tests bench
	$(BIN)/ruff check --fix palava tests bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
