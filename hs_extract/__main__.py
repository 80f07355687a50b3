"""python -m hs_extract: the hs-extract command."""

from .cli import main

main()
