"""Errors as RFC 9457 problem details (`application/problem+json`)."""

from __future__ import annotations

import json
from typing import Any

import azure.functions as func

PROBLEM_JSON = "application/problem+json"

TITLES = {
    400: "Bad request", 401: "Authentication required", 403: "Forbidden", 404: "Not found",
    405: "Method not allowed", 409: "Job already running", 413: "Request body too large",
    415: "Unsupported media type", 422: "Invalid request body", 500: "Internal server error",
    503: "Service unavailable",
}


class ApiError(Exception):
    """An expected failure with its status; `extensions` become top-level members."""

    def __init__(self, status: int, detail: str, *, title: str | None = None, **extensions: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title or TITLES.get(status, "Error")
        self.detail = detail
        self.extensions = extensions


def problem_response(error: ApiError, headers: dict[str, str] | None = None) -> func.HttpResponse:
    body = {"type": "about:blank", "title": error.title, "status": error.status, "detail": error.detail,
            **error.extensions}
    return func.HttpResponse(json.dumps(body, default=str), status_code=error.status,
                             mimetype=PROBLEM_JSON, charset="utf-8", headers=headers)
