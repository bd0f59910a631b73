"""`python -m integrations.callcabinet.simulator ...` (see server.py for the options)."""

from .server import main

if __name__ == "__main__":
    main()
