"""misc primitives (being written)."""
__all__ = []
