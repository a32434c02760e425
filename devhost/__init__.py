"""Local Azure Functions host: `python -m devhost` serves a FunctionApp's own functions.

Azure Functions Core Tools cannot be installed on every machine; this host
reads the app's registered HTTP and timer triggers and runs them with uvicorn,
so the code that runs and is tested locally is the code deployed to Azure.
"""
