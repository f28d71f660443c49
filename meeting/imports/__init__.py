"""Importing the panel and the households from CSV or XLSX: all rows valid, or nothing stored."""
