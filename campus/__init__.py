"""KommunalCampus core: store, settings, services and the HTTP API."""
