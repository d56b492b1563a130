"""The checks of emulator/selftest.py: the harness, the services' checks and the access checks."""
