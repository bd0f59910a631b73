"""Akixi (call reporting, K1-K4): the simulator lives here; the client joins it."""
