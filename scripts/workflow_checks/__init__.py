"""The parts of scripts/check_workflows.py: expressions, jobs, trust policies and results."""
