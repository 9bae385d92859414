# cdrp: `make demo` to try it, `make test` to check it. Everything installs from this repository's files.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := $(PYTHON) -m uv
VENV := .venv
BIN := $(VENV)/bin
STATIC := src/cdrp/core/static
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
export UV_LINK_MODE := copy

.PHONY: install system-packages python-packages assets demo serve test test-sqlite test-postgres bench lint format clean

install: system-packages python-packages assets

# Debian packages: Chromium (browser tests), poppler-utils (PDF checks), Pango (WeasyPrint).
system-packages:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	ldconfig -p | grep -q libpango-1.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	ldconfig -p | grep -q libharfbuzz-subset || missing="$$missing libharfbuzz-subset0"; \
	fc-list 2>/dev/null | grep -qi liberation || missing="$$missing fonts-liberation"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else SUDO="none"; fi; \
	  if [ "$$SUDO" = none ]; then echo "make: cannot install$$missing (not root, no sudo): browser and PDF tests need them" >&2; exit 1; fi; \
	  echo "Installing system packages:$$missing"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(BIN)/.installed: pyproject.toml uv.lock
	@$(PYTHON) -m uv --version 2>/dev/null | grep -q "$(UV_VERSION)" || $(PYTHON) -m pip install -q "uv==$(UV_VERSION)"
	$(UV) sync --frozen --quiet
	@touch $@

python-packages: $(BIN)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# GOV.UK Frontend, HTMX, Vega (charts), Leaflet (maps) and our stylesheet, served locally by
# whitenoise (never from a CDN).
$(STATIC)/cdrp/cdrp.css: node_modules/.installed src/cdrp/core/scss/cdrp.scss Makefile
	@mkdir -p $(STATIC)/vendor/govuk $(STATIC)/vendor/htmx
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(STATIC)/vendor/govuk/
	rm -rf $(STATIC)/vendor/govuk/assets && cp -r node_modules/govuk-frontend/dist/govuk/assets $(STATIC)/vendor/govuk/assets
	cp node_modules/htmx.org/dist/htmx.min.js $(STATIC)/vendor/htmx/
	@mkdir -p $(STATIC)/vendor/vega $(STATIC)/vendor/leaflet
	cp node_modules/vega/build/vega.min.js node_modules/vega-lite/build/vega-lite.min.js \
	  node_modules/vega-embed/build/vega-embed.min.js $(STATIC)/vendor/vega/
	# vega-embed and vega-tooltip inject their stylesheets as <style> elements, which the
	# Content-Security-Policy refuses: the page links the same rules as a file instead.
	node -e 'const fs = require("fs"); const css = (file, name) => fs.readFileSync(file, "utf8").match(new RegExp("var " + name + " = `([^`]*)`"))[1]; fs.writeFileSync(process.argv[1], css("node_modules/vega-embed/build/embed.js", "embedStyle") + css("node_modules/vega-tooltip/build/index.js", "defaultStyle"));' $(STATIC)/vendor/vega/vega-embed.css
	rm -rf $(STATIC)/vendor/leaflet && cp -r node_modules/leaflet/dist $(STATIC)/vendor/leaflet
	npx sass --load-path=node_modules --style=compressed --no-source-map --quiet-deps \
	  src/cdrp/core/scss/cdrp.scss $@

assets: $(STATIC)/cdrp/cdrp.css

demo: install
	$(BIN)/cdrp demo

serve: install
	$(BIN)/cdrp serve

# The whole suite on SQLite (with the browser tests), then again on PostgreSQL.
test: install test-sqlite test-postgres

test-sqlite:
	$(BIN)/pytest -q -n 2 --durations=25

test-postgres:
	@if $(BIN)/python scripts/pg_ready.py "$(PG_URL)"; then \
	  DATABASE_URL="$(PG_URL)" CDRP_DB_TESTS_ONLY=1 $(BIN)/pytest -q -n 2 -m "not browser" --durations=25; \
	elif [ "$$CI" = "true" ]; then \
	  echo "make: PostgreSQL at $(PG_URL) is not reachable, and CI requires the PostgreSQL run" >&2; exit 1; \
	else \
	  echo "make: PostgreSQL at $(PG_URL) is not reachable: ran the SQLite leg only"; \
	fi

bench: install
	@for f in $(wildcard bench/*.py); do echo "== $$f"; $(BIN)/python $$f || exit 1; done

# ruff, then import-linter (the contracts in pyproject, ARCHITECTURE.md), then mypy (strict on
# cdrp.analysis and cdrp.store, basic elsewhere), then
# bandit over src (medium/high findings fail unless marked `# nosec BXXX: <reason>`), then
# pip-audit over the locked packages ("not checked" when the advisories cannot be reached).
lint: python-packages
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python scripts/security_lint.py bandit src
	$(UV) export --frozen --no-hashes --no-emit-project --all-groups --quiet \
	  --output-file $(VENV)/requirements-locked.txt
	$(BIN)/python scripts/security_lint.py pip-audit $(VENV)/requirements-locked.txt

format: python-packages
	$(BIN)/ruff format src tests bench scripts
	$(BIN)/ruff check --fix src tests bench scripts

clean:
	rm -rf $(VENV) node_modules $(STATIC)/vendor $(STATIC)/cdrp/cdrp.css .pytest_cache
