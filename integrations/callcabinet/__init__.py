"""Call Cabinet (call recording, C1-C6): the simulator lives here; the client joins it."""
