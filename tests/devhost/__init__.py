"""Tests of the local Functions host (`python -m devhost`)."""
