# hallqueue: `make demo` and `make test` set everything up on a fresh machine, then run.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
VENDOR := queue_server/static/vendor
STAMP  := $(VENV)/.installed

.PHONY: setup demo test bench lint clean

setup: $(STAMP) $(VENDOR)/.copied

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

# Front-end libraries come from the npm registry at set-up, never copied into the repo.
$(VENDOR)/.copied: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/socket.io-client/dist/socket.io.min.js $(VENDOR)/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	touch $@

demo: setup
	$(PY) -m queue_server.demo_run

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

bench: setup
	$(PY) bench/issue_rate.py
	$(PY) bench/push_latency.py
	$(PY) bench/report_latency.py
	$(PY) bench/console_latency.py
	$(PY) bench/ticket_bytes.py
	$(PY) bench/rules_preview.py

lint: setup
	$(VENV)/bin/ruff check queue_server kiosk displays devices tests bench
	$(VENV)/bin/mypy queue_server/engine devices

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
