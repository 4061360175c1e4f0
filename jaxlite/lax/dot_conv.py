"""dot_conv primitives (being written)."""
__all__ = []
