# The two commands that work on a fresh machine with Rust and Python 3:
#   make demo   validate, plan, apply and plan again against the local emulator
#   make test   fmt check, clippy -D warnings, and the whole suite against the emulator
CARGO ?= cargo

.PHONY: demo test emulator build bench

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
