# Two entry points, both of which set themselves up on a fresh machine:
#   make demo   — install, validate the bundled samples (every row accounted for), run every report
#   make test   — install with the test, Spark and peer extras (+ Debian chromium), run the whole suite
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip

.PHONY: demo test install install-test chromium clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[test,spark,peers]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Browser tests drive Debian's chromium through Playwright (no browser download at run time).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; }

demo: install
	$(VENV)/bin/journeyviz validate data/samples/maison_lumiere
	$(VENV)/bin/journeyviz validate data/samples/hotel_en
	$(VENV)/bin/journeyviz demo --output-dir reports

test: install-test chromium
	RETENTIONEERING_NO_TRACK=1 $(PY) -m pytest

clean:
	rm -rf $(VENV) reports artifacts .pytest_cache
