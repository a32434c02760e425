"""The Function App: creates the app and registers the HTTP endpoints, the four timers and the run queue's functions."""

import azure.functions as func

from shared.http.blueprint import http_blueprint
from shared.migrate import apply_embedded_migrations
from shared.run_functions import run_functions_blueprint
from shared.settings import get_settings
from shared.telemetry import configure_telemetry
from shared.timers import timer_blueprint

configure_telemetry()  # Application Insights, when APPLICATIONINSIGHTS_CONNECTION_STRING is set
settings = get_settings()  # invalid app settings stop start-up here, naming the setting
apply_embedded_migrations(settings)  # SQLite only: a new SQLITE_PATH works at once
http, http_functions = http_blueprint(settings)

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
app.register_functions(http)
app.register_functions(timer_blueprint(settings))
app.register_functions(run_functions_blueprint())
