# The commands a newcomer needs. `make run` and `make test` each work on a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: run test check lint typecheck serve worker audit-verify deploy-check clean

$(VENV)/.installed-runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

.env:
	cp .env.example .env
	echo "SAFECASE_SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(64))')" >> .env
	echo "SAFECASE_FILE_KEYS=k1:$$($(PYTHON) -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')" >> .env
	echo "SAFECASE_TRANSFER_SIGNING_KEY=$$($(PYTHON) -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')" >> .env
	echo "SAFECASE_TRANSFER_ENCRYPTION_KEY=$$($(PYTHON) -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')" >> .env

## run: install, migrate SQLite, load the demo when the database is new, serve on http://127.0.0.1:8000
run: $(VENV)/.installed-runtime .env
	@new=0; [ -n "$$DATABASE_URL" ] || [ -f var/safecase.sqlite3 ] || new=1; \
	$(PY) manage.py migrate --noinput >/dev/null && \
	if [ $$new = 1 ]; then $(PY) manage.py demo; \
	else echo "Existing database kept. Demo users (if loaded): see README; password correct-horse-safeguarding"; fi && \
	echo "Serving Safecase at http://$(HOST)/ (Ctrl-C to stop); the worker writes development e-mails to var/worker.log" && \
	{ $(PY) manage.py db_worker --no-reload >var/worker.log 2>&1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST) --noreload; }

## test: the whole suite on SQLite, or on PostgreSQL when DATABASE_URL points at one
# One pytest-xdist worker per core (each gets its own test database and browser server);
# PYTEST_ARGS="-n 0" runs in one process.
PYTEST_ARGS ?= -n auto
test: $(VENV)/.installed-dev
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

deploy-check: $(VENV)/.installed-runtime
	SAFECASE_IGNORE_DOTENV=1 SAFECASE_DEBUG=0 SAFECASE_ALLOWED_HOSTS=safecase.example.org \
	SAFECASE_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))') \
	SAFECASE_FILE_KEYS=k1:$$($(PY) -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())') \
	$(PY) manage.py check --deploy --fail-level WARNING

## check: everything CI runs
check: lint deploy-check
	SAFECASE_DEBUG=1 $(PY) manage.py check
	SAFECASE_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(MAKE) test

worker: $(VENV)/.installed-runtime
	$(PY) manage.py db_worker

serve: $(VENV)/.installed-runtime
	$(VENV)/bin/gunicorn config.wsgi --workers 2 --bind $(HOST)

audit-verify: $(VENV)/.installed-runtime
	$(PY) manage.py audit_verify

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
