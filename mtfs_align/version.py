"""The tool's version: one declaration, read by the package, the outputs' manifests and the build
(pyproject.toml's `[tool.hatch.version]`). A module of its own, so that the stages that stamp their
outputs with it never import the package's API (`mtfs_align/__init__.py`)."""

__version__ = "0.1.0"
