# The two commands of the README's Quick start:
#   make site   installs everything on first run, then builds the site into _site/
#   make test   installs everything on first run, then runs the whole test suite
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
APT_PACKAGES := chromium dataset-fashion-mnist fonts-dejavu-core
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: site test serve install system-deps bench clean

site: install
	$(PY) build.py $(ARGS)

serve: install
	$(PY) build.py --serve $(ARGS)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install
	$(PY) bench/build_times.py
	$(PY) build.py -q && $(PY) bench/page.py && $(PY) bench/page.py --article train-in-your-browser && $(PY) bench/page.py --article autoencoder-zoo && $(PY) bench/train_steps.py && $(PY) bench/zoo.py

install: system-deps $(VENV)/.installed node_modules/.installed

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf _site .cache
