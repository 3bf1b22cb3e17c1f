"""Benchmarks and reports (`make bench`, `make nlu-report`): they write files, not assert."""
