"""Command-line adapters (setup, launcher); nothing imports from here."""
