# KPI Desk: `make run` opens the app, `make test` runs the tests. Both set everything up.
# Python 3.12+ is required (PySide6 6.12 aborts on 3.11 with `none_dealloc`).

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LOCALES := sv
LOCALE_DIR := src/kpidesk/resources/locale
MO_FILES := $(foreach l,$(LOCALES),$(LOCALE_DIR)/$(l)/LC_MESSAGES/kpidesk.mo)

# The first interpreter of 3.12 or newer that really runs (pyenv shims for absent versions
# exist but fail), then pyenv's own folders.
PYTHON ?= $(shell \
  for c in python3.12 python3.13 python3; do \
    if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
      $$c -c 'import sys; print(sys.executable)'; exit 0; fi; \
  done; \
  for c in $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.12*/bin/python3.12 $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.13*/bin/python3.13; do \
    if [ -x "$$c" ]; then echo $$c; exit 0; fi; \
  done)

.PHONY: run test bench lint format translations clean venv check-python installer installer-deps installer-icons

check-python:
	@if [ -z "$(PYTHON)" ]; then echo "KPI Desk needs Python 3.12 or newer; none was found." >&2; exit 1; fi

# The version lives in src/kpidesk/__init__.py: a new one is installed as new metadata.
$(STAMP): pyproject.toml setup.py src/kpidesk/__init__.py | check-python
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP) $(MO_FILES)

# The editable install compiles the catalogues too (setup.py); this keeps them up to date
# after `make translations` or an edit to a .po.
$(LOCALE_DIR)/%/LC_MESSAGES/kpidesk.mo: $(LOCALE_DIR)/%/LC_MESSAGES/kpidesk.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -D kpidesk -d $(LOCALE_DIR) -l $* >/dev/null

# Without a display the app says so in one line (exit 6), and make adds nothing to it.
run: venv
	@$(BIN)/kpidesk $(ARGS) || { code=$$?; [ $$code -eq 6 ] || exit $$code; }

test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

BENCH_STAMP := $(VENV)/.bench-stamp

# The baselines (xlsxwriter, …) come from the `bench` extra in pyproject.toml.
$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@touch $(BENCH_STAMP)

# Compiled first: where PYTHONDONTWRITEBYTECODE is set, every start would otherwise compile
# the sources, which no installed copy does.
bench: venv $(BENCH_STAMP)
	$(BIN)/python -m compileall -q src >/dev/null
	$(BIN)/python benchmarks/run.py

# The import contracts and mypy (settings in pyproject.toml) also run in `make test`
# (tests/unit/test_boundaries.py), so CI fails when they break.
lint: venv
	$(BIN)/ruff check src tests benchmarks setup.py
	$(BIN)/ruff format --check src tests benchmarks setup.py
	$(BIN)/lint-imports
	$(BIN)/mypy

format: venv
	$(BIN)/ruff format src tests benchmarks setup.py
	$(BIN)/ruff check --fix src tests benchmarks setup.py

# Extract every marked string and merge it into the catalogues; translators edit the .po.
translations: $(STAMP)
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -k N_ -k ngettext:1,2 \
	  -k pgettext:1c,2 -o $(LOCALE_DIR)/kpidesk.pot --project=kpidesk src >/dev/null
	$(BIN)/pybabel update --no-fuzzy-matching -D kpidesk -i $(LOCALE_DIR)/kpidesk.pot -d $(LOCALE_DIR)
	$(MAKE) $(MO_FILES)

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache $(MO_FILES)

# The installable app: dist/kpidesk/ (PyInstaller, one folder), checked, and on Linux the
# package dist/kpidesk-<version>-linux-<arch>.tar.gz, checked by installing it. See installer/.
INSTALLER_STAMP := $(VENV)/.installer-stamp
ICON_SENTINEL := src/kpidesk/resources/icons/png/kpidesk-1024.png

$(INSTALLER_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,installer]'
	@touch $(INSTALLER_STAMP)

installer-deps: $(INSTALLER_STAMP)
	@if [ "$$(uname -s)" = Linux ]; then bash installer/linux/system-deps.sh; fi

# Every size at once (16…1024 px); the largest stands for them all.
$(ICON_SENTINEL): src/kpidesk/resources/icons/kpidesk.svg installer/make_icons.py | $(STAMP)
	$(BIN)/python installer/make_icons.py

installer-icons: $(ICON_SENTINEL)

installer: venv installer-deps installer-icons
	@case "$$(uname -s)" in \
	  Linux) PYTHON=$(BIN)/python bash installer/linux/build.sh ;; \
	  *) echo "make installer builds the Linux package; for Windows and macOS see installer/README.md" >&2; exit 1 ;; \
	esac
