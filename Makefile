# Sunlight: `make run` serves the demo county, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint migrations-check serve-prod clean backup restore

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 BASE_URL=http://127.0.0.1:$(PORT) $(PY) manage.py seed_demo
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The production configuration on this machine (docs/deployment.md, 本机运行生产配置):
# DEBUG=0 against the local PostgreSQL and Redis, migrate + collectstatic, then
# gunicorn with gunicorn.conf.py. Secrets are generated once into var/local-prod.env
# (0600, git-ignored); every variable set in the environment wins over the defaults.
LOCAL_PROD_ENV := var/local-prod.env

$(LOCAL_PROD_ENV):
	mkdir -p var
	umask 077 && $(PY) -c 'import base64, os, secrets; print("SECRET_KEY=" + secrets.token_urlsafe(50)); print("FIELD_ENCRYPTION_KEYS=" + base64.urlsafe_b64encode(os.urandom(32)).decode())' > $@.tmp && mv $@.tmp $@
	chmod 600 $@

serve-prod: $(STAMP) $(LOCAL_PROD_ENV)
	@set -e; \
	export DEBUG=0; \
	export SECRET_KEY="$${SECRET_KEY:-$$(sed -n 's/^SECRET_KEY=//p' $(LOCAL_PROD_ENV))}"; \
	export FIELD_ENCRYPTION_KEYS="$${FIELD_ENCRYPTION_KEYS:-$$(sed -n 's/^FIELD_ENCRYPTION_KEYS=//p' $(LOCAL_PROD_ENV))}"; \
	export DATABASE_URL="$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/sunlight}"; \
	export REDIS_URL="$${REDIS_URL:-redis://127.0.0.1:6379/1}"; \
	export ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}"; \
	export BASE_URL="$${BASE_URL:-http://127.0.0.1:$(PORT)}"; \
	export SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-0}"; \
	export GUNICORN_BIND="$${GUNICORN_BIND:-127.0.0.1:$(PORT)}"; \
	$(PY) -c 'import os, psycopg; from urllib.parse import urlsplit; u = urlsplit(os.environ["DATABASE_URL"]); name = u.path.lstrip("/"); c = psycopg.connect(u._replace(path="/postgres").geturl(), autocommit=True) if u.scheme.startswith("postgres") else None; c and not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() and c.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name))) and print("created database", name)'; \
	$(PY) manage.py check --deploy; \
	$(PY) manage.py migrate --noinput; \
	$(PY) manage.py collectstatic --noinput -v 0; \
	echo "serving the production configuration on $$BASE_URL (DATABASE_URL=$$DATABASE_URL, REDIS_URL=$$REDIS_URL)"; \
	exec $(VENV)/bin/gunicorn sunlight.wsgi -c gunicorn.conf.py

# Backups (docs/deployment.md, 备份与恢复): the keys are never inside, keep them apart.
backup: $(STAMP)
	$(PY) manage.py backup $(if $(OUT),--output "$(OUT)")

restore: $(STAMP)
	@test -n "$(FILE)" || { echo "用法：make restore FILE=var/backups/sunlight-….tar.gz [YES=1]"; exit 2; }
	$(PY) manage.py restore "$(FILE)" $(if $(filter 1 yes,$(YES)),--yes)

clean:
	rm -rf $(VENV) var db.sqlite3 db.sqlite3-wal db.sqlite3-shm
