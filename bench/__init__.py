"""Benchmarks of siyu against a baseline measured in the same run (``siyu bench ...``)."""
