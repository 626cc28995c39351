# make help lists the targets. The venv is rebuilt only when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PO_FILES := $(wildcard translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)
# The static files and their folders (a removed file changes its folder), not the build.
ASSET_SOURCES := $(shell find static -mindepth 1 -path static/build -prune -o -print)
ASSET_MANIFEST := static/build/manifest.json
HOST ?= 127.0.0.1
PORT ?= 5000
# The suite spreads over this many processes (pytest-xdist); the machine has 2 cores.
TEST_WORKERS ?= 2

.DEFAULT_GOAL := help
.PHONY: help setup assets run serve-prod serve-live test lint format translations bench bench-load bench-scale bench-talk clean

help: ## Show the targets and what they do
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,postgres,redis]"
	touch $(STAMP)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

# Minified, hashed and gzipped copies of static/ with their manifest (web/asset_build.py);
# rebuilt when a file under static/ or the build code changes. The build rewrites only what
# changed; the touch tells make it is up to date even then.
$(ASSET_MANIFEST): $(ASSET_SOURCES) web/asset_build.py $(STAMP)
	$(BIN)/python -m web.asset_build
	@touch $@

setup: $(STAMP) $(MO_FILES) $(ASSET_MANIFEST) ## Create .venv, install, compile translations, build static/

assets: $(STAMP) ## Rebuild static/build now (also part of setup)
	$(BIN)/python -m web.asset_build

run: setup ## Set up, migrate, create the demo account, serve on http://127.0.0.1:5000
	$(BIN)/flask --app wsgi migrate
	$(BIN)/flask --app wsgi seed-demo
	@echo "Portal:      http://$(HOST):$(PORT)/"
	@echo "Back office: http://$(HOST):$(PORT)/staff/login"
	$(BIN)/flask --app wsgi run --host $(HOST) --port $(PORT)

serve-prod: setup ## Migrate, then serve with gunicorn (FJC_ENV=production; needs FJC_* set)
	@test -n "$$FJC_DATABASE_URL" -a -n "$$FJC_REDIS_URL" || { \
		echo "serve-prod needs FJC_DATABASE_URL (PostgreSQL) and FJC_REDIS_URL, plus"; \
		echo "FJC_SECRET_KEY, FJC_DATA_KEYS, FJC_INDEX_KEY, FJC_AUDIT_KEY and FJC_PUBLIC_URL: see docs/operations.md"; exit 1; }
	FJC_ENV=production $(BIN)/flask --app wsgi migrate
	@echo "Pages on $${GUNICORN_BIND:-127.0.0.1:8000}; run make serve-live beside it for Talk now's live streams"
	FJC_ENV=production $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

serve-live: setup ## Serve Talk now's live streams (gthread, beside serve-prod; same FJC_* settings)
	@test -n "$$FJC_DATABASE_URL" -a -n "$$FJC_REDIS_URL" || { \
		echo "serve-live needs the settings of serve-prod (FJC_DATABASE_URL, FJC_REDIS_URL, ...):"; \
		echo "see docs/operations.md, section Talk now"; exit 1; }
	@echo "Live streams on $${GUNICORN_LIVE_BIND:-127.0.0.1:8001}; the proxy sends only /.../talk/events here (deploy/nginx)"
	FJC_ENV=production $(BIN)/gunicorn -c gunicorn.live.conf.py wsgi:app

test: setup lint ## Set up, lint, run the whole test suite (SQLite and PostgreSQL) on 2 workers
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --ignore=tests/browser
	@# The quick-exit tests time the exit in a real browser: alone, not beside other tests.
	$(BIN)/python -m pytest tests/browser

lint: $(STAMP) ## ruff (lint, format), import-linter (the layers), mypy (core/)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

format: $(STAMP) ## Apply ruff's formatting and safe fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

translations: $(STAMP) ## Extract messages.pot, update catalogues, compile
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 \
		--no-location --sort-output \
		-o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --ignore-obsolete --no-fuzzy-matching
	$(BIN)/pybabel compile -d translations --statistics

bench: setup ## Print the benchmarks' numbers
	$(BIN)/python -m bench

bench-load: setup ## Install wrk (Debian) when missing, then run only the load benchmark
	@command -v wrk >/dev/null || { \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; }
	$(BIN)/python -m bench.load

bench-scale: setup ## Only the back office of one centre among 9 of 100,000 requests each
	$(BIN)/python -m bench.scale

bench-talk: setup ## Only Talk now: 300 open conversations beside the portal (PostgreSQL, Redis)
	$(BIN)/python -m bench.talk

clean: ## Remove the venv, caches, compiled translations and static/build (keeps instance/)
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info static/build
	find . -name '*.mo' -delete
