# The two commands a new user needs: `make run` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
CLOUD_PORT ?= 5100
export HOST PORT

.PHONY: run run-cloud test fuzz lint format bench clean translations messages

# `make run` and `make run-cloud` started together on a fresh clone both set up the
# virtualenv: one waits for the other (flock, where the system has it).
LOCK   := $(shell command -v flock >/dev/null 2>&1 && echo flock $(VENV).lock)

$(BIN)/python:
	$(LOCK) sh -c 'test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)'

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(LOCK) $(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(LOCK) $(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

translations: $(VENV)/.runtime
	$(BIN)/pybabel -q compile -d pos_app/translations

## make messages: re-extract the text to translate (babel.cfg) and merge it into each .po
messages: $(VENV)/.runtime
	$(BIN)/pybabel -q extract -F babel.cfg -k lazy_gettext -k _l --sort-by-file \
	  --project restaurant-pos --version $$($(BIN)/python -c 'import pos_app; print(pos_app.__version__)') \
	  --add-comments TRANSLATORS: \
	  -o pos_app/translations/messages.pot .
	$(BIN)/pybabel -q update -i pos_app/translations/messages.pot -d pos_app/translations \
	  --ignore-obsolete

## make run: install, migrate, load the demo on first start, serve on http://$(HOST):$(PORT)
run: $(VENV)/.runtime translations
	$(BIN)/flask --app pos_app pos migrate
	$(BIN)/flask --app pos_app pos demo --if-empty
	$(BIN)/flask --app pos_app pos demo-history --if-empty
	$(BIN)/flask --app pos_app pos branch-key instance/branch_key
	@POS_VIRTUAL_PRINTERS=$${POS_VIRTUAL_PRINTERS:-1} POS_CLOUD_URL=$${POS_CLOUD_URL-http://127.0.0.1:$(CLOUD_PORT)} \
	  $(BIN)/python -m pos_app.welcome
	POS_VIRTUAL_PRINTERS=$${POS_VIRTUAL_PRINTERS:-1} \
	  POS_CLOUD_URL=$${POS_CLOUD_URL-http://127.0.0.1:$(CLOUD_PORT)} \
	  POS_BRANCH_KEY_FILE=$${POS_BRANCH_KEY_FILE:-instance/branch_key} \
	  $(BIN)/python -m pos_app.server --host $(HOST) --port $(PORT)

## make run-cloud: the cloud mirror beside `make run` (http://127.0.0.1:5100/cloud), demo paired
run-cloud: $(VENV)/.runtime translations
	$(BIN)/python -m pos_app.cloud.local --host $(HOST) --port $(CLOUD_PORT)

## make test: install what the tests need, lint, then the whole suite (see tests/README.md)
test: $(VENV)/.dev translations
	@sh tests/install_browser.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	sh tests/run_js.sh
	sh tests/run_suite.sh

## make fuzz: the long fuzzing run of every API operation (`make test` runs a bounded one):
## the pytest gate with FUZZ_EXAMPLES per operation and mode (default 100; FUZZ_LIVE=1 over
## HTTP to `python -m pos_app.server`; POS_TEST_DATABASE_URL=postgresql+psycopg://... on
## PostgreSQL; FUZZ_ARGS go to pytest), then schemathesis' CLI with its coverage, fuzzing and
## stateful phases against a live server (FUZZ_CLI_ARGS go to schemathesis run).
FUZZ_EXAMPLES ?= 100
FUZZ_LIVE ?= 0
fuzz: $(VENV)/.dev translations
	POS_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) POS_FUZZ_LIVE=$(FUZZ_LIVE) POS_FUZZ_SHRINK=1 \
	  $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_fuzz_api.py $(FUZZ_ARGS)
	$(BIN)/python tests/fuzz/run_cli.py --examples $(FUZZ_EXAMPLES) $(FUZZ_CLI_ARGS)

## make bench: order to kitchen screen benchmark (BENCH_ARGS=--quick for a smoke run; needs node)
bench: $(VENV)/.runtime translations
	$(BIN)/python bench/order_to_kds.py $(BENCH_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/artifacts
