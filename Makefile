# The two commands of the README's Quick start:
#   make site   installs what building needs on first run, then builds the site into _site/
#   make test   installs what testing needs too (a browser, test tools), then runs the linters (make lint),
#               the JavaScript unit tests (make test-js) and the whole pytest suite
# System packages come from scripts/system-deps.sh (Debian and Ubuntu through apt; macOS and others: a message).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: site test lint test-js serve install install-test bench clean

site: install
	$(PY) build.py $(ARGS)

serve: install
	$(PY) build.py --serve $(ARGS)

test: lint test-js
	$(PY) -m pytest $(PYTEST_ARGS)

# ruff (settings in pyproject.toml) and ESLint (eslint.config.js); `ruff format .` applies the formatting.
lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	npm run --silent lint:js

# Unit tests of the pure JavaScript helpers, with Node's own test runner.
test-js: install
	npm run --silent test:js

bench: install-test
	$(PY) bench/build_times.py
	$(PY) build.py -q && $(PY) bench/page.py && $(PY) bench/page.py --article train-in-your-browser && $(PY) bench/page.py --article autoencoder-zoo && $(PY) bench/train_steps.py && $(PY) bench/longtasks.py && $(PY) bench/face_decoder.py && $(PY) bench/zoo.py

install: $(VENV)/.installed node_modules/.installed

install-test: install $(VENV)/.installed-test $(VENV)/.browser

$(VENV)/.installed: pyproject.toml scripts/system-deps.sh scripts/venv.sh
	scripts/system-deps.sh build
	scripts/venv.sh $(VENV)
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	scripts/system-deps.sh test
	$(PY) -m pip install -q -e ".[test]"
	touch $@

# Debian's chromium where installed (or $$CHROMIUM); otherwise Playwright's own build, downloaded once
# (with the system libraries it needs where apt can install them).
$(VENV)/.browser: $(VENV)/.installed-test
	@if [ -n "$$CHROMIUM" ] || [ -x /usr/bin/chromium ]; then :; \
	elif command -v apt-get >/dev/null; then $(PY) -m playwright install --with-deps chromium; \
	else $(PY) -m playwright install chromium; fi
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf _site .cache
