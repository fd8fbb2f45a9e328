"""HTTP adapter (FastAPI). Nothing outside this package imports it."""
