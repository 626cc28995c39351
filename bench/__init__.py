"""Benchmarks that print numbers (`make bench`); they never pass or fail."""
