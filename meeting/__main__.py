"""`python -m meeting` is the `meeting` command."""

from .launch import main

main()
