# The two commands that work on a fresh machine with Rust, Python 3 and Node.js 18+:
#   make demo   validate, plan, apply and plan again against the local emulator
#   make test   fmt check, clippy -D warnings, and the whole suite against the emulator
# And one that needs a real sandbox account (BASELINE_ACCEPTANCE_PROFILE; skipped without):
#   make acceptance   apply every example on it, check the services deliver, destroy
CARGO ?= cargo

.PHONY: demo test emulator build bench acceptance

emulator:
	bash scripts/emulator-setup

build:
	$(CARGO) build --bin baseline

demo: emulator build
	bash scripts/demo

test: emulator
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	bash scripts/test

bench:
	bash bench/noop-plan

acceptance:
	bash scripts/acceptance
