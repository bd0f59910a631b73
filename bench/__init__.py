"""Benchmarks (not tests): scripts run by `make bench*`, results in docs/benchmarks.md."""
