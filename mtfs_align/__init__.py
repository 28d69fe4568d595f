"""mtfs_align: align a council's Medium Term Financial Strategy with its corporate plan.

The Python API (docs/python-api.md): one function per command, each returning the results in
memory and writing files only when given `out=`.

    import mtfs_align
    results = mtfs_align.check("scenarios/proposal.yaml")
    results.budget                      # budget.csv as a DataFrame
"""

import sys
import types

from mtfs_align.version import __version__

# name -> module that defines it; imported on first use, so `import mtfs_align` (and the command
# line's --help) stays quick and no stage imports the API by accident.
_EXPORTS = {
    "load_scenario": "mtfs_align.scenario",
    "Scenario": "mtfs_align.scenario",
    "check": "mtfs_align.api",
    "optimise": "mtfs_align.api",  # the optimiser's package, callable as mtfs_align.api.optimise
    "frontier": "mtfs_align.api",
    "risk": "mtfs_align.api",
    "robust": "mtfs_align.api",
    "compare": "mtfs_align.api",
    "run": "mtfs_align.api",
    "brief": "mtfs_align.api",
    "batch": "mtfs_align.api",
    "Settings": "mtfs_align.settings",
    "RunResults": "mtfs_align.results",
    "read_results": "mtfs_align.results",
    "Reporter": "mtfs_align.progress",
    "MtfsError": "mtfs_align.errors",
    "InputError": "mtfs_align.errors",
    "ContradictionError": "mtfs_align.errors",
    "SolverError": "mtfs_align.errors",
    "Problem": "mtfs_align.errors",
}

__all__ = ["__version__", *_EXPORTS]


class _CallableOptimise(types.ModuleType):
    """The optimiser's package, `mtfs_align.optimise`, which shares its name with the API's
    `optimise`: calling the package is calling the API function (mtfs_align.api.optimise)."""

    def __call__(self, *args, **kwargs):
        from mtfs_align.api import optimise

        return optimise(*args, **kwargs)


class _Package(types.ModuleType):
    """This package. Importing the subpackage `optimise` sets it as an attribute here, where the
    API's `optimise` would be; the subpackage is then made callable as that function, so both
    `mtfs_align.optimise(scenario)` and `mtfs_align.optimise.prepare` work."""

    def __setattr__(self, name: str, value) -> None:
        if name == "optimise" and isinstance(value, types.ModuleType) and not isinstance(value, _CallableOptimise):
            value.__class__ = _CallableOptimise
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str):
    if name == "optimise":
        import importlib

        return importlib.import_module("mtfs_align.optimise")  # made callable as it is set here
    if name in _EXPORTS:
        import importlib

        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mtfs_align' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
