"""Benchmarks of the Access Request Expiry Service: `python -m bench [notify|candidates|revoke|all]`."""
