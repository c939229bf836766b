# Two commands a newcomer needs: `make run` and `make test`. Both install into .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SOURCES := quanzi api domain adapters recommend jobs tests bench

.PHONY: install run serve migrate seed test lint typecheck schema contract clean

$(BIN)/quanzi: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/quanzi

## run: install, migrate and seed the demo community, then run the API (GraphiQL, devLogin),
## a job worker and the scheduler together
run: install
	$(BIN)/quanzi migrate
	$(BIN)/quanzi seed
	QUANZI_DEV_LOGIN=$${QUANZI_DEV_LOGIN:-1} $(BIN)/quanzi dev --host $(HOST) --port $(PORT)

serve: install
	$(BIN)/quanzi serve --host $(HOST) --port $(PORT)

migrate: install
	$(BIN)/quanzi migrate

seed: install
	$(BIN)/quanzi seed

## test: install, then lint, type-check and run the whole suite
test: install
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/mypy
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)

typecheck: install
	$(BIN)/mypy

schema: install
	$(BIN)/quanzi export-schema

contract: install
	$(BIN)/python ../shared/tools/check_contract.py schema.graphql

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
