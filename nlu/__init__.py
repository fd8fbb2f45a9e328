"""Custom Rasa NLU pieces. Runs inside the Rasa venv (Python 3.10): imports nothing from the app stack."""
