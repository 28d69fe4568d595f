"""`python -m mtfs_align` runs the command line."""

from mtfs_align.cli import main

main()
