"""Reading input files and writing output folders."""
