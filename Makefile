# Two commands on a fresh machine: `make demo` and `make test`. Both create .venv if missing and
# install exactly the versions in requirements.lock (hashes checked); `make lock` refreshes it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LOCK := requirements.lock
PIP := $(BIN)/python -m pip --disable-pip-version-check
PYTEST_ARGS ?=
# pip-tools, pinned: the lock is written the same way on every machine.
PIP_TOOLS := pip-tools==7.7.0 pip==26.3

.PHONY: test demo lint typecheck bench clean lock test-latest mutate

$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "siyu needs Python 3.11+ (set PYTHON=python3.11)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --require-hashes --no-deps -r $(LOCK)
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	$(PIP) check
	touch $(STAMP)

# The analyzer's hot modules compiled with mypyc (nlp/native.py, ~1.5x per message): rebuilt
# whenever their sources change; without a C compiler they run as Python (same results).
NATIVE_SOURCES := $(addprefix nlp/,context.py matcher.py contacts.py intent.py hits.py engine.py native.py)
NATIVE_MARK := $(VENV)/.nlp-native-stamp
$(NATIVE_MARK): $(STAMP) $(NATIVE_SOURCES)
	@if $(BIN)/python -m nlp.build_native > $(VENV)/nlp-native.log 2>&1; then \
	  echo "nlp: the analyzer's hot modules are compiled (mypyc)"; \
	else \
	  $(BIN)/python -m nlp.build_native --clean > /dev/null 2>&1; \
	  echo "nlp: no C compiler or Python headers: the analyzer runs as Python (slower, same \
	results; see $(VENV)/nlp-native.log)"; \
	fi
	@touch $(NATIVE_MARK)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck $(NATIVE_MARK)
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || echo "make test: \
	no Chromium found: the console's browser tests (tests/browser) will be SKIPPED \
	(apt-get install chromium fonts-wqy-microhei)"
	$(BIN)/pytest $(PYTEST_ARGS)

demo: $(STAMP) $(NATIVE_MARK)
	$(BIN)/siyu demo

bench: $(STAMP) $(NATIVE_MARK)
	$(BIN)/siyu bench ingest

# Mutation testing (mutmut, [tool.mutmut] in pyproject.toml) of bot/crypto.py, bot/inbound.py and
# nlp/normalize.py, judged by their own fast tests only. From scratch each time, on a copy of the
# tree in var/mutate/ (ignored by git, ruff and mypy); prints the score per module and every
# mutant not killed (inspect one with `cd var/mutate && ../../$(BIN)/mutmut show NAME`).
MUTATE_JOBS ?= 2
MUTATE_DIR := var/mutate
mutate: $(STAMP)
	rm -rf $(MUTATE_DIR) && mkdir -p $(MUTATE_DIR)
	cp -r bot nlp config handlers scheduler bench tests pyproject.toml $(MUTATE_DIR)/
	cd $(MUTATE_DIR) && ../../$(BIN)/mutmut run --max-children $(MUTATE_JOBS) > run.log 2>&1 \
	    || (tail -c 2000 run.log; exit 1)
	@cd $(MUTATE_DIR) && ../../$(BIN)/mutmut results --all true | awk '{ split($$1, name, ".x"); \
	    n[name[1]]++; if ($$2 == "killed" || $$2 == "timeout") k[name[1]]++ } END { for (m in n) \
	    printf "%-16s %4d/%-4d killed or timed out (%.1f%%)\n", m, k[m], n[m], 100 * k[m] / n[m] }' \
	    | sort
	cd $(MUTATE_DIR) && ../../$(BIN)/mutmut results

# Resolve pyproject.toml's ranges to the newest versions they allow, every package pinned with
# its hashes. Run it to take new releases (then `make test`), and after changing dependencies.
lock:
	test -x .venv-lock/bin/python || $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --disable-pip-version-check $(PIP_TOOLS)
	.venv-lock/bin/pip-compile --quiet --upgrade --extra dev --generate-hashes --allow-unsafe \
	    --strip-extras --no-emit-index-url --no-emit-find-links -o $(LOCK) pyproject.toml
	sed -i '/^siyu @ /d' $(LOCK)  # the project itself is installed editable, not from the lock

# The suite against the newest versions pyproject.toml allows, in a venv of its own: run it
# before `make lock` to see what a bump would break.
test-latest:
	rm -rf .venv-latest
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	.venv-latest/bin/python -m pip install --quiet --disable-pip-version-check --upgrade -e '.[dev]'
	.venv-latest/bin/python -m pip list --disable-pip-version-check --format=freeze
	.venv-latest/bin/ruff check .
	.venv-latest/bin/mypy
	.venv-latest/bin/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .venv-latest .venv-lock var .mypy_cache .ruff_cache .pytest_cache .hypothesis
