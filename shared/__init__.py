"""Access Request Expiry Service: the Python package behind the Function App."""
