"""Sentence embeddings: the shared encoder, the module vectors and the vector index."""
