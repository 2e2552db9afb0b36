# hallqueue: `make demo` and `make test` set everything up on a fresh machine, then run.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
VENDOR := queue_server/static/vendor
STAMP  := $(VENV)/.installed
LOCK   := requirements.lock
DIST   ?= dist

.PHONY: setup demo test bench lint docs screenshots lock audit dist clean

setup: $(STAMP) $(VENDOR)/.copied

# Every package at the version in requirements.lock: CI and every machine run the same ones.
# [dev] is every role's packages with the tests', the docs' and the linters' (pyproject.toml).
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -c $(LOCK) --upgrade pip
	$(PY) -m pip install -q -c $(LOCK) -e '.[dev]'
	touch $@

# Resolve pyproject.toml's ranges afresh (the newest releases allowed) in a scratch
# environment and pin what was installed. Run after changing a dependency, or to take
# new releases (then run the suite, and commit requirements.lock).
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install -q --upgrade pip
	.venv-lock/bin/python -m pip install -q -e '.[dev]'
	{ echo "# Every package of hallqueue and its tests at one version: written by 'make lock',"; \
	  echo "# installed by 'make setup' (pip install -c requirements.lock -e '.[dev]'); pip itself too."; \
	  .venv-lock/bin/python -m pip freeze --all --exclude-editable; } > $(LOCK)
	rm -rf .venv-lock

# Known advisories for the locked versions. Needs a machine that reaches OSV or PyPI's
# per-release JSON (docs/security.md, "Dependencies and advisories"); --strict fails on any package
# that could not be checked, so a network that answers nothing cannot pass for "no advisory".
audit:
	test -x .venv-audit/bin/pip-audit || { $(PYTHON) -m venv .venv-audit && .venv-audit/bin/python -m pip install -q pip-audit; }
	.venv-audit/bin/pip-audit --strict --no-deps --disable-pip -r $(LOCK)

# Front-end libraries come from the npm registry at set-up, never copied into the repo.
$(VENDOR)/.copied: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/socket.io-client/dist/socket.io.min.js $(VENDOR)/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	# Their licences travel with them into the wheel (Apache-2.0 asks for ECharts' NOTICE).
	cp node_modules/socket.io-client/LICENSE $(VENDOR)/socket.io.LICENSE
	cp node_modules/echarts/LICENSE $(VENDOR)/echarts.LICENSE
	cp node_modules/echarts/NOTICE $(VENDOR)/echarts.NOTICE
	touch $@

# The sdist and the wheel in $(DIST)/, the front-end libraries inside (laid out from the npm
# lock first, as package data). `build` lives in its own virtualenv, .venv-build, so the
# development one is not touched; it builds the wheel from the sdist, as a registry would.
dist: $(VENDOR)/.copied
	test -x .venv-build/bin/pyproject-build || { $(PYTHON) -m venv .venv-build && .venv-build/bin/python -m pip install -q build; }
	rm -rf $(DIST)
	.venv-build/bin/python -m build --outdir $(DIST) .

demo: setup
	$(PY) -m queue_server.tools.demo_run

# The suite's files shared among TEST_WORKERS processes (pytest-xdist), each file on one
# worker so its module fixtures are made once: on a 2-core machine 7.5 min instead of 13.
TEST_WORKERS ?= 2
test: setup
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

bench: setup
	$(PY) bench/issue_rate.py
	$(PY) bench/push_latency.py
	$(PY) bench/report_latency.py
	$(PY) bench/console_latency.py
	$(PY) bench/city_push.py
	$(PY) bench/ticket_bytes.py
	$(PY) bench/rules_preview.py
	$(PY) bench/window_plan_replay.py

# ruff over everything; mypy over every package, strict on the engine and devices
# (pyproject.toml [tool.mypy] says which is which). CI runs it before the suite.
lint: setup
	$(VENV)/bin/ruff check queue_server kiosk displays devices tests bench
	$(VENV)/bin/mypy

# The manual (docs/, mkdocs.yml) as a static site in site/, built offline; --strict fails on a
# broken link or anchor and on a page left out of the navigation.
docs: setup
	$(VENV)/bin/mkdocs build --strict

# The Chinese manuals' pictures (docs/img/): the demo city on a loopback port, driven in
# headless Chromium. Run after changing a page, then commit the PNGs.
screenshots: setup
	$(PY) docs/screenshots.py

clean:
	rm -rf $(VENV) .venv-lock .venv-audit .venv-build node_modules $(VENDOR) var site dist build
