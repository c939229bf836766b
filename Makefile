# Two commands a newcomer needs: `make run` and `make test`. Both install into .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SOURCES := quanzi api console domain adapters recommend jobs tests bench
CONFORMANCE := clients/conformance
MINIPROGRAM := clients/miniprogram

.PHONY: install run serve migrate seed test conformance conformance-deps miniprogram \
	miniprogram-deps lint typecheck schema contract console-vendor clean

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

## conformance-deps: the Node packages of the client conformance suite, from its lockfile
## (again only when the lockfile changed)
conformance-deps: $(CONFORMANCE)/node_modules/.installed

$(CONFORMANCE)/node_modules/.installed: $(CONFORMANCE)/package-lock.json $(CONFORMANCE)/package.json
	@node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
		2>/dev/null && command -v npm >/dev/null || { echo "The client conformance suite \
	($(CONFORMANCE)) needs Node.js 20 or newer with npm on the PATH (Debian: apt-get install \
	nodejs npm); install them and run make again." >&2; exit 1; }
	cd $(CONFORMANCE) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## miniprogram-deps: the Node packages of the mini-program SDK (its build and tests), from its
## lockfile (again only when the lockfile changed)
miniprogram-deps: $(MINIPROGRAM)/node_modules/.installed

$(MINIPROGRAM)/node_modules/.installed: $(MINIPROGRAM)/package-lock.json $(MINIPROGRAM)/package.json
	@node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
		2>/dev/null && command -v npm >/dev/null || { echo "The mini-program SDK \
	($(MINIPROGRAM)) needs Node.js 20 or newer with npm on the PATH (Debian: apt-get install \
	nodejs npm); install them and run make again." >&2; exit 1; }
	cd $(MINIPROGRAM) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## test: install, then lint, type-check and run the whole suite (the client conformance
## suite and the mini-program SDK's tests included)
test: install conformance-deps miniprogram-deps
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/mypy
	$(BIN)/pytest $(PYTEST_ARGS)

## conformance: only the client conformance suite (Apollo Client, graphql-ws and
## graphql-codegen against a server the test starts)
conformance: install conformance-deps
	$(BIN)/pytest tests/api/test_conformance.py $(PYTEST_ARGS)

## miniprogram: build the mini-program SDK (codegen, tsc --strict over it and its example page,
## the ES2017 bundles) and run its tests against a server the test starts
miniprogram: install miniprogram-deps
	$(BIN)/pytest tests/api/test_miniprogram_sdk.py $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)

typecheck: install
	$(BIN)/mypy

schema: install
	$(BIN)/quanzi export-schema

contract: install
	$(BIN)/python ../shared/tools/check_contract.py schema.graphql

## console-vendor: the console's browser libraries (htmx, Apache ECharts) from npm at the versions
## console/vendor-src/package-lock.json pins, copied with their licences into console/static/vendor/
## (committed: nothing is fetched at run time, and no Node is needed to run the console)
VENDOR_SRC := console/vendor-src/node_modules
VENDOR := console/static/vendor
console-vendor:
	cd console/vendor-src && npm ci --ignore-scripts --no-audit --no-fund
	mkdir -p $(VENDOR)
	cp $(VENDOR_SRC)/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp $(VENDOR_SRC)/htmx.org/LICENSE $(VENDOR)/htmx.LICENSE
	cp $(VENDOR_SRC)/echarts/dist/echarts.min.js $(VENDOR)/echarts.min.js
	cp $(VENDOR_SRC)/echarts/LICENSE $(VENDOR)/echarts.LICENSE
	cp $(VENDOR_SRC)/echarts/NOTICE $(VENDOR)/echarts.NOTICE
	cp $(VENDOR_SRC)/echarts/licenses/LICENSE-d3 $(VENDOR)/echarts.LICENSE-d3
	cp $(VENDOR_SRC)/zrender/LICENSE $(VENDOR)/zrender.LICENSE
	cp $(VENDOR_SRC)/tslib/LICENSE.txt $(VENDOR)/tslib.LICENSE

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
	rm -rf $(CONFORMANCE)/node_modules $(CONFORMANCE)/dist $(CONFORMANCE)/src/gql \
		$(CONFORMANCE)/persisted-query-manifest.json
	rm -rf $(MINIPROGRAM)/node_modules $(MINIPROGRAM)/dist $(MINIPROGRAM)/dist-test \
		$(MINIPROGRAM)/src/gql
