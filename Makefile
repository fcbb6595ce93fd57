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

# Backups (docs/deployment.md, 备份与恢复): the keys are never inside, keep them apart.
backup: $(STAMP)
	$(PY) manage.py backup $(if $(OUT),--output "$(OUT)")

restore: $(STAMP)
	@test -n "$(FILE)" || { echo "用法：make restore FILE=var/backups/sunlight-….tar.gz [YES=1]"; exit 2; }
	$(PY) manage.py restore "$(FILE)" $(if $(filter 1 yes,$(YES)),--yes)

clean:
	rm -rf $(VENV) var db.sqlite3 db.sqlite3-wal db.sqlite3-shm
