"""``python -m vnpy_ctpsopt``."""

from .cli import main

raise SystemExit(main())
