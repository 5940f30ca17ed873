"""The checks of the rules (their descriptions are data: quality/data/rules.json).

Each module evaluates a family of rules over a whole :class:`~openror.quality.directory.Directory`
and yields one finding per unit in scope.
"""
