# Two entry points a newcomer needs: `make demo` and `make test`.  Each sets up .venv itself
# (re-installing only when pyproject.toml changes) and is safe to run twice.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench fuzz explore slow hostile chart clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "sim needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lint,charts,frame,study]'
	@touch $(STAMP)

## demo: replay the recorded history and print its timeline and outcome
demo: $(STAMP)
	$(BIN)/sim replay scenarios/baseline

## test: lint, type-check and run the whole test suite (the three at once, each one's output
## printed whole when it ends)
test: $(STAMP)
	@$(MAKE) --no-print-directory -j3 --output-sync=target lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# Python may cache bytecode here even where PYTHONDONTWRITEBYTECODE is set (in __pycache__/,
# which git ignores): otherwise both workers rewrite every test module's asserts, and each of the
# ~40 processes the tests start compiles sim again, on every run
pytest: $(STAMP)
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -m "not slow" -n 2

## bench: the benchmarks, figures as JSON (bench/study.py runs a 100,000-sample study: minutes)
bench: $(STAMP)
	$(BIN)/python bench/replay.py --json
	$(BIN)/python bench/whatif.py --json
	$(BIN)/python bench/startup.py --json
	$(BIN)/python bench/render.py --json
	$(BIN)/python bench/study.py --json

## hostile: hostile files, full disks, shared folders (issue 12): its tests, then its attacks
## re-run against the real CLI (about seven minutes; needs root to mount a small disk and to
## meet file modes as a user: skipped, with the reason, elsewhere)
hostile: $(STAMP)
	$(BIN)/pytest tests/test_hostile.py tests/test_errors.py -q -rs
	$(BIN)/python -m tests.hostile_attacks

## chart: redraw the README's chart of the recorded history (docs/baseline.png)
chart: $(STAMP)
	$(BIN)/sim chart scenarios/baseline -o docs/baseline.png

## fuzz: every loader against 10,000 generated bad inputs each (about twenty minutes)
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest tests/test_fuzz.py -q --hypothesis-show-statistics

## explore: every property at 10,000 random examples, stopping at the first failure (hours);
## narrow it with EXPLORE, e.g. make explore EXPLORE=tests/test_whatif_properties.py
EXPLORE ?= tests
explore: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -m "not slow" -x -q --hypothesis-show-statistics $(EXPLORE)

## slow: the full-size reliability runs (200 SIGKILLed writers; 4 writers x 1,000 appends)
slow: $(STAMP)
	$(BIN)/pytest -m slow -q -s

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
