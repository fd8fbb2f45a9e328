"""rasa-sdk actions: thin adapters from the dialogue to the core."""
