"""Normalisation of submitted text: Unicode form, headers, numbers, periods, names and units."""
