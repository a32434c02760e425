"""Named SQL statements, one module per dialect, with identical names and `?` parameters.

Templates use `{requests}`, `{key}`, ... placeholders that `Dialect.sql()` fills from the platform
registry with quoted, validated identifiers; every value is a `?` parameter.
"""
