# The README's commands. Each target first installs what it needs: uv, then the locked dependencies.
.PHONY: bootstrap run demo test test-fast lint bench

UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)

# Bytecode is compiled at install, as pip does: with PYTHONDONTWRITEBYTECODE set, every command
# would otherwise compile every module it imports again (≈ 1.3 s a start).
bootstrap:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@$(UV) sync --frozen --quiet --compile-bytecode
	@$(UV) run --frozen --no-sync python -m compileall -q src

run: bootstrap
	$(UV) run leadport serve

demo: bootstrap
	$(UV) run leadport demo

test: bootstrap
	$(UV) run pytest -q

test-fast: bootstrap
	$(UV) run pytest -q -m "not postgres and not slow"

lint: bootstrap
	$(UV) run ruff check src tests benchmarks
	$(UV) run mypy

bench: bootstrap
	$(UV) run python benchmarks/run_import_bench.py
