# kb: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=
# Test processes (pytest-xdist): "auto" is one per core; WORKERS=0 runs in this process only.
WORKERS ?= auto
# Bytecode caches on for the tests, kept in the venv (the source tree stays clean where
# PYTHONDONTWRITEBYTECODE is set): without them each test process compiles kb again and pytest
# rewrites the assertions of ~280 modules, about 5 s of CPU per process.
# The tests' temporary folders (a database copy and an index per test, ~230 MB and ~9,500 files
# a run) go to /dev/shm when it has 2 GB free: on disk, writing them and deleting an old run's
# (pytest does it at the end of each run) cost seconds of sys time and of waiting for the disk.
# Each passing test's folder is deleted as it ends, so memory holds only the failed ones'.
TEST_TMPDIR := $(shell df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 && $$4 > 2097152 {print "/dev/shm"}')
PYCACHE = $(abspath $(VENV))/pycache
PYTEST := PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(PYCACHE) \
	$(if $(TEST_TMPDIR),TMPDIR=$(TEST_TMPDIR)) $(PY) -m pytest -q -p no:cacheprovider \
	$(if $(TEST_TMPDIR),-o tmp_path_retention_policy=failed)
# worksteal: each worker starts on its own half of the tests, in file order (so a module's
# module-scoped fixture is mostly built once), and takes tests from the other's queue when idle,
# so no long module is left alone on one worker at the end (loadscope's tail).
PARALLEL = -n $(WORKERS) --dist worksteal
# Production and browser checks start real servers (gunicorn, PostgreSQL, Redis, Chromium):
# `make test-production`, after `source .ci/services` has started them (.ci/run does).
PRODUCTION_TESTS := tests/e2e/test_production*.py tests/e2e/test_browser*.py
NOT_PRODUCTION := --ignore-glob='tests/e2e/test_production*' --ignore-glob='tests/e2e/test_browser*'

.PHONY: install install-test run test test-fast test-slow test-production test-all lint \
	translations messages constraints clean

install: $(VENV)/.installed

$(VENV)/.installed: setup.cfg constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e .
	$(MAKE) --no-print-directory translations
	touch $@

install-test: $(VENV)/.installed-test

# The tests look for bytecode under $(PYCACHE) only (see PYTEST), not for the .pyc pip writes
# beside the installed sources: compile the installed packages, kb and the tests there once,
# here, or each test process of the first run compiles them again (~7 s of CPU). A file that
# does not compile is left for Python to report if it is ever imported.
$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	-PYTHONPYCACHEPREFIX=$(PYCACHE) $(PY) -m compileall -qq -j 0 kb tests \
		"$$($(PY) -c 'import sysconfig; print(sysconfig.get_path("purelib"))')"
	touch $@

# Each catalog is compiled when its .po is newer than its .mo (not at every test run: ~0.45 s
# of wall before the tests could start).
CATALOGS := $(wildcard kb/translations/*/LC_MESSAGES/messages.po)
translations: $(CATALOGS:.po=.mo)

kb/translations/%/LC_MESSAGES/messages.mo: kb/translations/%/LC_MESSAGES/messages.po | $(VENV)/bin/pybabel
	$(VENV)/bin/pybabel -q compile -f -i $< -o $@

$(VENV)/bin/pybabel:
	@test -x $@ || { echo "run 'make install' first"; exit 1; }

# Re-extract the interface strings and merge them into the fr/es catalogs; then translate the
# new empty entries in kb/translations/*/LC_MESSAGES/messages.po and run `make translations`.
messages: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k N_ -k lazy_gettext -k lazy_ngettext:1,2 --sort-by-file --no-wrap --project kb --version 0.1.0 --copyright-holder "kb contributors" --msgid-bugs-address "" -o kb/translations/messages.pot .
	$(VENV)/bin/pybabel update -i kb/translations/messages.pot -d kb/translations --no-wrap --ignore-obsolete --no-fuzzy-matching
	$(VENV)/bin/pybabel compile -f --statistics -d kb/translations

instance/config.py:
	mkdir -p instance
	$(PY) -c "import secrets; print('SECRET_KEY = %r' % secrets.token_hex(32))" > $@
	@echo "Wrote a random SECRET_KEY to $@ (kept out of git)."

run: install translations instance/config.py
	$(FLASK) kb init --demo --url http://$(HOST):$(PORT)
	$(FLASK) run --host $(HOST) --port $(PORT)

lint: install-test
	$(VENV)/bin/ruff check kb tests bench migrations/env.py wsgi.py
	$(VENV)/bin/mypy

# The newcomer's command: lint, then test-fast.
test: lint test-fast

# Every check that needs no server and is not slow (unit, web and the web stories), in parallel,
# without lint: the loop while changing code. On this 2-core machine, nothing else running (load
# 2-2.5), alternating with the tree of the start of session 8: 50.6-54.5 s wall (96-105 s of
# CPU), against 60.7-68.4 s (115-130 s) then. WORKERS=3 is slower (59-61 s).
test-fast: install-test translations
	$(PYTEST) $(PARALLEL) -m "not slow" $(NOT_PRODUCTION) $(PYTEST_ARGS)

# The exhaustive checks (hostile sweep of every route, schemathesis, the full XSS corpus):
# about 15 minutes; CI runs them once, on Python 3.11.
test-slow: install-test translations
	$(PYTEST) $(PARALLEL) -m slow $(NOT_PRODUCTION) $(PYTEST_ARGS)

test-production: install-test translations
	$(PYTEST) $(PRODUCTION_TESTS) $(PYTEST_ARGS)

# Everything CI runs on SQLite and this Python.
test-all: test test-slow test-production

constraints: install-test
	{ head -2 constraints.txt; $(PY) -m pip freeze --exclude-editable | grep -v '^kb=='; } > constraints.new
	mv constraints.new constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
