# gd_notebooks: the course's commands. `make docs` and `make test` are the whole set-up.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help install browser test test-fast docs site lab bench execute export clean readme wheel check-sync

help:
	@echo "make docs     build the course site into _docs/ and serve it on http://127.0.0.1:4000"
	@echo "make site     build the site without serving it"
	@echo "make test     run every check (ends with pytest's summary line)"
	@echo "make test-fast  the checks without a browser or benchmarks (oracle and package groups)"
	@echo "make browser  find or get the Chromium of the browser checks (make test does this first)"
	@echo "make lab      JupyterLab on nbs/ with live widgets"
	@echo "make bench    measure the speed bars"
	@echo "make execute  re-execute the notebooks and save their outputs (then commit them)"

$(STAMP): requirements-dev.txt setup.py settings.ini pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

# The browser checks need a Chromium: the one found here, else one got for them (Debian's via apt-get as root, else
# playwright's own build where the internet is reachable), else make stops with a one-line instruction.
browser: $(STAMP)
	@$(BIN)/python tools/find_browser.py --get

test: browser

test: $(STAMP)
	-bash tools/install_libreoffice.sh
	$(BIN)/python -m pytest tests

test-fast: $(STAMP)
	$(BIN)/python -m pytest tests -m "not browser and not bench"

site: $(STAMP)
	$(BIN)/python tools/build_site.py

docs: site
	@echo "Serving the course on http://127.0.0.1:4000 (Ctrl-C to stop)"
	$(BIN)/python -m http.server 4000 --bind 127.0.0.1 --directory _docs

# JupyterLab on nbs/ as the course runs it (tools/lab): widget state saved with the notebook, notebooks saved as nbdev_clean leaves them
lab: $(STAMP)
	$(BIN)/jupyter lab --ip=127.0.0.1 --notebook-dir=nbs --config=tools/lab/jupyter_server_config.py $(if $(filter 0,$(shell id -u)),--allow-root,)

bench: $(STAMP)
	$(BIN)/python tools/bench.py

export: $(STAMP)
	$(BIN)/nbdev_export

clean: $(STAMP)
	$(BIN)/nbdev_clean

readme: $(STAMP)
	$(BIN)/python tools/make_readme.py

execute: $(STAMP)
	$(BIN)/nbdev_export
	$(BIN)/python tools/nbrun.py $(NB)
	$(BIN)/python tools/make_readme.py

wheel: $(STAMP)
	rm -rf dist && $(BIN)/python -m build --no-isolation --outdir dist .
