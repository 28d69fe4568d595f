"""mtfs_align: align a council's Medium Term Financial Strategy with its corporate plan."""

__version__ = "0.1.0"
