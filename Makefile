# kb: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=

.PHONY: install install-test run test lint translations messages constraints clean

install: $(VENV)/.installed

$(VENV)/.installed: setup.cfg constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e .
	$(MAKE) --no-print-directory translations
	touch $@

install-test: $(VENV)/.installed-test

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

translations: $(VENV)/bin/pybabel
	@if [ -d kb/translations ]; then $(VENV)/bin/pybabel -q compile -f -d kb/translations; fi

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

test: install-test translations lint
	$(PY) -m pytest $(PYTEST_ARGS)

constraints: install-test
	{ head -2 constraints.txt; $(PY) -m pip freeze --exclude-editable | grep -v '^kb=='; } > constraints.new
	mv constraints.new constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
