# lantian — the two commands are `make run` and `make test` (see README.md).
VENV    ?= .venv
PYTHON  ?= $(shell command -v python3.11 || command -v python3)
PIP      = $(VENV)/bin/pip
LANTIAN  = $(VENV)/bin/lantian
HOST    ?= 127.0.0.1
PORT    ?= 8000

.PHONY: run test setup install install-dev lint format

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PIP) install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: set up the embedded SQLite site with the seed plans and demo data, then start every
## process of the Procfile (web server, HJ 212 gateway, demo devices, daemons); Ctrl-C stops all.
run: $(VENV)/.installed
	LANTIAN_DEBUG=1 $(LANTIAN) setup --demo
	@echo "蓝天 lantian: http://$(HOST):$(PORT)/  (演示账号见上，密码 lantian-demo；Ctrl-C 停止全部进程)"
	PATH="$(abspath $(VENV))/bin:$$PATH" LANTIAN_DEBUG=1 LANTIAN_HOST=$(HOST) LANTIAN_PORT=$(PORT) \
		$(VENV)/bin/honcho start -f Procfile

## make test: lint, migrations check, the whole suite on SQLite, then on PostgreSQL.
test: $(VENV)/.installed-dev
	VENV=$(VENV) bash scripts/test.sh

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
