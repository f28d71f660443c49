"""`python -m meeting` is the `meeting` command."""

from .cli import main

main()
