"""The HTTP layer: endpoint registry, handlers, models, auth, problem+json, OpenAPI."""
