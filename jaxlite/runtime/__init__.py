"""The runtime layer: PJRT clients, devices, arrays and transfers.

Importing this package imports nothing from jaxlib; each submodule loads it
on first use.
"""
