"""The commands of scripts/acceptance_checks.py, one module each, and what they share."""
