"""python -m hs_extract.cli: the hs-extract command."""

from . import main

main()
