"""Entry point of `python -m digits_core`."""

from .cli import main

raise SystemExit(main())
