"""Repositories: functions that take a `Connection` (never open one) and speak in domain types."""
