"""Benchmarks, run with `python -m bench`. Each prints ratios against a baseline measured in the
same run, so figures compare across machines; BENCHMARKS.md records them."""
