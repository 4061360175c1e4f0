"""Transformations as interpreters: staging (partial_eval), ad, batching, mlir, pxla."""
