"""`python -m integrations.broadworks.simulator ...` (see cli.py for the options)."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
