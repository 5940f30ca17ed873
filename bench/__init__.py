"""Benchmarks of OpenROR (run each module as a script; see docs/benchmarks.md)."""
