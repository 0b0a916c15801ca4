"""The two baselines dothi is measured against: the DuckDB floor (floor.sql) and a pandas script."""
