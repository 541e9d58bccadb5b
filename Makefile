# Everything runs from a project virtualenv that `make` creates on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CUSTOMERS ?= 100000
SCALES ?= 10000 1000000
ACTIVITY_CUSTOMERS ?= 100000
CHAIN_CUSTOMERS ?= 100000
CALENDAR_CUSTOMERS ?= 100000
ANALYTICS_CUSTOMERS ?= 100000
SCALE ?= 10000
CSV_ROWS ?= 100000

.PHONY: lock run test check graphiql pages bench-map-render bench bench-cpu bench-abuse bench-load bench-csv-import bench-map bench-activities bench-calendar bench-chains bench-analytics schema neo4j-start neo4j-stop neo4j-status clean

# Installs the exact versions of requirements.lock, then the project itself without
# resolving anything again.
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

lock:  ## rewrite requirements.lock: the newest versions pyproject.toml allows, installed in a fresh venv and frozen
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet --upgrade pip
	.venv-lock/bin/pip install --quiet '.[dev]'
	{ echo '# Exact versions of every runtime and dev dependency; `make lock` rewrites this file.'; \
	  .venv-lock/bin/pip freeze --exclude kesher; } > requirements.lock
	rm -rf .venv-lock

run: $(STAMP)  ## serve the API on http://127.0.0.1:8000/graphql (local Neo4j + demo data without NEO4J_URI)
	$(BIN)/kesher run

test: $(STAMP)  ## the test suite, against a Neo4j it starts itself
	$(BIN)/pytest

check: $(STAMP)  ## format, lint, types
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/check

bench: $(STAMP)  ## every question through Kesher, as raw Cypher, through a bare Python app (the floor) and through @neo4j/graphql at SCALE customers (WORKERS, PROFILE=<question>|slowest)
	$(BIN)/python -m bench.suite --customers $(SCALE) $(if $(WORKERS),--workers $(WORKERS)) $(if $(PROFILE),--profile $(PROFILE))

bench-load: $(STAMP)  ## load CUSTOMERS generated customers with contacts and projects; prints the rate
	$(BIN)/kesher bench-load --customers $(CUSTOMERS)

bench-csv-import: $(STAMP)  ## import CSV_ROWS customers, then as many contacts, all or nothing, then the customers row by row, as `kesher import` does; prints rows/s
	$(BIN)/python -m bench.csv_import --rows $(CSV_ROWS)

bench-map: $(STAMP)  ## relationMap through HTTP against the same Cypher run raw, at SCALES customers
	$(BIN)/python -m bench.relation_map --scales $(SCALES)

bench-activities: $(STAMP)  ## calendar and activities through HTTP against the same Cypher run raw, at ACTIVITY_CUSTOMERS customers
	$(BIN)/python -m bench.activities --customers $(ACTIVITY_CUSTOMERS)

bench-calendar: $(STAMP)  ## the raw calendar statement at 1x and 5x history, at CALENDAR_CUSTOMERS customers
	$(BIN)/python -m bench.calendar_history --customers $(CALENDAR_CUSTOMERS)

bench-chains: $(STAMP)  ## an activity list page with refs, states and chain counts through HTTP against the same Cypher run raw, at CHAIN_CUSTOMERS customers
	$(BIN)/python -m bench.chains --customers $(CHAIN_CUSTOMERS)

bench-analytics: $(STAMP)  ## duplicateCandidates, networkAnalytics and timeline through HTTP, at ANALYTICS_CUSTOMERS customers
	$(BIN)/python -m bench.analytics --customers $(ANALYTICS_CUSTOMERS)

bench-cpu: $(STAMP)  ## CPU ms per request and the top functions, one process, QUESTION (card) at SCALE customers (FULL=1: the full path)
	$(BIN)/python -m bench.cpu_profile --question $(or $(QUESTION),card) --customers $(SCALE) $(if $(FULL),--full)

bench-abuse: $(STAMP)  ## the worst query (not with WITHOUT_WORST=1), the recurrence bomb and a slow-header flood at once, timing another client's small query
	$(BIN)/python -m bench.abuse $(if $(WITHOUT_WORST),--without-worst-query)

graphiql:  ## refresh kesher/static/graphiql (GraphiQL, React) from web/graphiql's lock file
	scripts/vendor-graphiql

pages:  ## refresh kesher/static/pages/vendor (Cytoscape.js, fcose) from web/pages' lock file
	scripts/vendor-pages

bench-map-render: $(STAMP)  ## lay out and draw 1,000 parties on the relation-map page in headless Chromium
	$(BIN)/python -m bench.map_render --nodes 1000 --rounds 7

schema: $(STAMP)  ## rewrite schema.graphql from the code
	$(BIN)/kesher schema > schema.graphql

neo4j-start neo4j-stop neo4j-status: $(STAMP)
	$(BIN)/kesher neo4j $(subst neo4j-,,$@)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache
