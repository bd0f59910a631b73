"""Akixi (call reporting, K1-K4): the gateway the build steps call (client.py) and the simulator that
stands in for Akixi in the demo and the tests (simulator/)."""
