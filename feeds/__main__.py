"""``python -m feeds`` is the ``feeds`` command."""

from .cli import main

main()
