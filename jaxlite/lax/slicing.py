"""slicing primitives (being written)."""
__all__ = []
