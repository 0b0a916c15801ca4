"""Benchmarks: synthetic submissions at named scales, the harness, and the two baselines (floor, pandas)."""
