# Thin wrappers over `python -m autograder ...`; the first target that needs
# Python builds .venv from requirements.lock (once; later runs start at once).

# PYTHON=... picks the interpreter for .venv; by default autograder/install.py
# takes python3 if it is supported, else the newest python3.1x on the PATH. The
# script itself runs on any Python 3, so that it can say what to do about one.
INSTALLER = $(or $(shell command -v python3 2>/dev/null),$(PYTHON),python3)
VENV   := .venv
PY     := $(VENV)/bin/python
READY  := $(VENV)/.installed
PYTEST_ARGS ?= -n 3 --dist loadgroup --durations=30

.PHONY: check watch lab progress reset solution hint grade gradescope bench-check bench-isolation bench-grading bench-feedback bench-watch test parity device-kit exercises data stages lock clean help

help:
	@echo "make check STAGE=N [IMPL=DIR] [REPORT=FILE]   grade stage N (exercises/ or DIR)"
	@echo "     [ONLY=id,id] [HINTS=1] [NO_SANDBOX=1]     ... some checks, detailed hints, no sandbox"
	@echo "make watch STAGE=N [IMPL=DIR]                 grade stage N again on every save (q quits)"
	@echo "make lab                                      JupyterLab on the exercises (the notebooks)"
	@echo "make hint STAGE=N [FUNCTION=name]             the detailed hints (they give much away)"
	@echo "make progress                                 every stage: not started, in progress, done"
	@echo "make reset STAGE=N                            stage N's exercise back as shipped (backed up)"
	@echo "make solution STAGE=N [FORCE=1]               the reference, once stage N has full marks"
	@echo "make grade SUBMISSIONS=DIR [OUT=DIR] [JOBS=N] [STUDENT=id] [STAGE=n] [FORCE=1] [TIMEOUT=s]"
	@echo "                                              grade a class (docs/instructors.md)"
	@echo "make gradescope [STAGE=n]                    one Gradescope autograder zip per stage"
	@echo "make test                                     run the kit's own tests"
	@echo "make parity [SAMPLE=1] [RECORD=1] [JOBS=N]    verdicts here against tests/parity/baseline.json"
	@echo "make device-kit                               .cache/device-kit: parity on a GPU machine offline"
	@echo "make exercises                                regenerate exercises/ from solutions/"
	@echo "make data                                     download full MNIST into data/mnist/"
	@echo "make cuda                                     run JAX on your NVIDIA GPU (docs/learners.md)"
	@echo "make stages                                   list the stages"

$(READY): requirements.lock pyproject.toml
	@$(INSTALLER) autograder/install.py --venv $(VENV) $(if $(PYTHON),--python "$(PYTHON)")

check: $(READY)
	@$(if $(STAGE),,echo "usage: make check STAGE=N [IMPL=DIR] [REPORT=FILE]" >&2; exit 2)
	@$(PY) -m autograder check $(STAGE) $(if $(IMPL),--impl $(IMPL)) $(if $(REPORT),--report $(REPORT)) $(if $(ONLY),--only $(ONLY)) $(if $(HINTS),--hints) $(if $(NO_SANDBOX),--no-sandbox)

watch: $(READY)
	@$(if $(STAGE),,echo "usage: make watch STAGE=N [IMPL=DIR]" >&2; exit 2)
	@$(PY) -m autograder watch $(STAGE) $(if $(IMPL),--impl $(IMPL)) $(if $(NO_SANDBOX),--no-sandbox)

lab: $(READY)
	@$(PY) -m autograder lab $(LAB_ARGS)

progress: $(READY)
	@$(PY) -m autograder progress

reset: $(READY)
	@$(if $(STAGE),,echo "usage: make reset STAGE=N" >&2; exit 2)
	@$(PY) -m autograder reset $(STAGE)

solution: $(READY)
	@$(if $(STAGE),,echo "usage: make solution STAGE=N [FORCE=1]" >&2; exit 2)
	@$(PY) -m autograder solution $(STAGE) $(if $(FORCE),--force)

hint: $(READY)
	@$(if $(STAGE),,echo "usage: make hint STAGE=N [FUNCTION=name]" >&2; exit 2)
	@$(PY) -m autograder hint $(STAGE) $(if $(FUNCTION),--function $(FUNCTION))

grade: $(READY)
	@$(if $(SUBMISSIONS),,echo "usage: make grade SUBMISSIONS=DIR [OUT=DIR] [JOBS=N] [STUDENT=id] [STAGE=n] [FORCE=1] [TIMEOUT=s]" >&2; exit 2)
	@$(PY) -m autograder grade $(SUBMISSIONS) $(if $(OUT),--out $(OUT)) $(if $(JOBS),--jobs $(JOBS)) $(if $(STUDENT),--student $(STUDENT)) $(if $(STAGE),--stage $(STAGE)) $(if $(FORCE),--force) $(if $(TIMEOUT),--timeout $(TIMEOUT)) $(if $(NO_SANDBOX),--no-sandbox)

# One Gradescope autograder zip per stage, in gradescope/ (docs/instructors.md).
gradescope: $(READY)
	@$(PY) -m autograder gradescope build $(if $(STAGE),--stage $(STAGE)) $(if $(NO_SANDBOX),--no-sandbox)

# Grades a synthetic class and prints its speed (benchmarks/grading.py --help).
bench-grading: $(READY)
	@$(PY) benchmarks/grading.py $(BENCH_ARGS)

# Warm `make check` per stage, finished and with one bug, against a fresh `import jax`
# in the same run (benchmarks/check.py --help).
bench-check: $(READY)
	@$(PY) benchmarks/check.py $(BENCH_ARGS)

bench-isolation: $(READY)
	@$(PY) benchmarks/isolation.py $(BENCH_ARGS)

# Failing runs of `make check` against passing ones (benchmarks/feedback.py --help).
bench-feedback: $(READY)
	@$(PY) benchmarks/feedback.py $(BENCH_ARGS)

# How soon `make watch` shows its verdict after a save (benchmarks/watch.py --help).
bench-watch: $(READY)
	@$(PY) benchmarks/watch.py $(BENCH_ARGS)

test: $(READY)
	@$(PY) -m pytest tests $(PYTEST_ARGS)

# Grade the solutions, exercises, tests/alt/ and tests/buggy/ and compare every
# verdict with the one recorded with Python 3.11 on CPU (tests/support/parity.py).
parity: $(READY)
	@$(PY) tests/support/parity.py $(if $(SAMPLE),--sample) $(if $(RECORD),--record) $(if $(JOBS),--jobs $(JOBS)) $(if $(STAGE),--stages $(STAGE))

# What `make parity` needs on a GPU machine that can fetch nothing, but its JAX: the
# lock's pins for Python 3.12 packed in .cache/device-kit (tests/support/device_kit.py).
# There: python3 tests/support/device_kit.py run [--sample]
device-kit: $(READY)
	@$(PY) tests/support/device_kit.py build

exercises: $(READY)
	@$(PY) -m autograder exercises

data: $(READY)
	@$(PY) -m autograder data

# JAX on an NVIDIA GPU: the CUDA 12 plugin pinned for jaxlib 0.10.2 (Linux x86_64), on top of
# requirements.lock, then the devices JAX now sees (docs/learners.md).
.PHONY: cuda
cuda: $(READY)
	@$(PY) -m pip install -qq --disable-pip-version-check --no-deps -r requirements-cuda.lock
	@$(PY) -c 'import jax; print("JAX", jax.__version__, "sees:", ", ".join(f"{d.platform} ({d.device_kind})" for d in jax.devices()))'

stages: $(READY)
	@$(PY) -m autograder stages

# Re-resolve requirements.in into requirements.lock (maintainers only), keeping
# every pin that still fits (UPGRADE=1: the newest versions instead). Universal:
# markers keep Windows' and macOS' extra packages in, and uvloop out on Windows.
lock: $(READY)
	@cp requirements.lock requirements.lock.new
	@$(VENV)/bin/uv pip compile --quiet --universal --python-version 3.11 --no-header \
	  --no-annotate $(if $(UPGRADE),--upgrade) requirements.in -o requirements.lock.new
	@{ grep '^#' requirements.lock; cat requirements.lock.new; } > requirements.lock.tmp
	@rm requirements.lock.new && mv requirements.lock.tmp requirements.lock && echo "requirements.lock updated"

clean:
	rm -rf $(VENV) .cache .pytest_cache

# Learner notebooks and the nbgrader course (docs/instructors.md).
.PHONY: notebooks release autograde grades feedback
notebooks: $(READY)
	@$(PY) -m autograder course notebooks

release: $(READY)
	@$(PY) -m autograder course release

autograde: $(READY)
	@$(PY) -m autograder course autograde $(if $(TIMEOUT),--timeout $(TIMEOUT)) $(if $(JOBS),--jobs $(JOBS)) $(if $(FORCE),--force) $(if $(NO_SANDBOX),--no-sandbox)

grades: $(READY)
	@$(PY) -m autograder course grades

feedback: $(READY)
	@$(PY) -m autograder course feedback
