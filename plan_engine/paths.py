"""Learning paths: a plan's items, in the order they are taken, cut into paths of at most five units.

Five learning units per Lernpfad is the KommunalCampus rule; a plan that fills a
year holds several paths one after the other. Every module fits into one path
(``constraints.available`` admits no module with more units than a path).
"""

from __future__ import annotations

from collections.abc import Sequence


def path_numbers(units: Sequence[int], max_units: int) -> list[int]:
    """The path (1, 2, …) of each item, in order: a path is closed when the next item would overfill it."""
    numbers: list[int] = []
    path, used = 1, 0
    for count in units:
        if used and used + count > max_units:
            path, used = path + 1, 0
        used += count
        numbers.append(path)
    return numbers
