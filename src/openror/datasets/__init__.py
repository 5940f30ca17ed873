"""Generated datasets: the national dataset (every FINESS establishment with synthetic offers,
places, capacities and professionals) and the demo sample bundled in the package.

Everything here is deterministic: the same seed gives byte-identical files. Nothing imports
this package but the CLI.
"""
