"""Call Cabinet (call recording, C1-C6): the gateways the build steps call, over the API or by hand
(client.py), and the simulator that stands in for Call Cabinet in the demo and the tests (simulator/)."""
