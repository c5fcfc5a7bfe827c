"""Benchmarks of the two Lambda handlers (`make bench`, or `python -m bench`)."""
