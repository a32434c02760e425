"""The app's registered functions, read once: `FunctionApp.get_functions()` raises on a second call."""

from function_app import app

FUNCTIONS = app.get_functions()
