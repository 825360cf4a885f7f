"""Charting's forms: the treatment record, the assessment grid, the lot recall search."""
