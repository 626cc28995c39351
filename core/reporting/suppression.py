"""Small-count suppression: figures that leave the coordinator's screen must
not let anyone recognise a family.

Primary suppression: a count from 1 to threshold - 1 is shown as "<5" (for
threshold 5). Zero stays 0: it says nobody, which identifies no one.

Secondary suppression: a table's totals are sums of its cells, and a sum
with exactly one unknown part gives that part away. Every sum ("equation":
a total and the cells it adds up) must therefore have no unknown or at least
two. When one has exactly one, the smallest non-zero shown part is hidden as
well; when no part is left to hide, the total is hidden. This repeats until
nothing changes, because hiding a cell can open up another sum it is part
of (its column, say, after its row). Cells hidden this way are not small,
so they are marked "x", not "<5".

Sums can also be combined: with zeros around, a month's total in one row
and a municipality's in another may together give a small cell away although
each sum alone has two unknowns. So after the rule above, the hidden cells
are solved as a system of linear equations (exact arithmetic, modulo a large
prime); while a small cell's value follows from it, one more cell of a sum it
is in is hidden, and the rule runs again.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

Key = TypeVar("Key", bound=Hashable)

SMALL = "small"  # primary: a count below the threshold
HIDDEN = "hidden"  # secondary: hidden so that a small count cannot be worked out
HIDDEN_MARK = "x"


def small_mark(threshold: int) -> str:
    return f"<{threshold}"


def is_small(value: int, threshold: int) -> bool:
    return 0 < value < threshold


def suppress(
    values: Mapping[Key, int],
    equations: Sequence[tuple[Key, Sequence[Key]]],
    threshold: int,
) -> dict[Key, str]:
    """Which cells to hide, and why (SMALL or HIDDEN); cells not in the result are shown.

    `values` holds every cell, totals included; each equation is (total, parts).
    """
    marks: dict[Key, str] = {
        key: SMALL for key, value in values.items() if is_small(value, threshold)
    }
    order = {key: position for position, key in enumerate(values)}
    while True:
        _no_sum_with_one_unknown(values, equations, marks, order)
        exposed = [key for key in determined(equations, marks) if marks[key] == SMALL]
        if not exposed:
            return marks
        target = _next_to_hide(exposed[0], values, equations, marks, order)
        if target is None:  # pragma: no cover - a sum with a shown non-zero part exists
            return marks
        marks[target] = HIDDEN


def _no_sum_with_one_unknown(values, equations, marks, order) -> None:
    changed = True
    while changed:
        changed = False
        for total, parts in equations:
            unknown = sum(1 for part in parts if part in marks) + (1 if total in marks else 0)
            if unknown != 1:
                continue
            candidates = [part for part in parts if part not in marks and values[part] > 0]
            if candidates:
                target = min(candidates, key=lambda part: (values[part], order[part]))
            elif total not in marks:
                target = total
            else:  # pragma: no cover - a hidden total always has a hidden non-zero part
                continue
            marks[target] = HIDDEN
            changed = True


def _next_to_hide(exposed, values, equations, marks, order):
    """The smallest shown non-zero cell of a sum the exposed cell is in."""
    candidates = {
        cell
        for total, parts in equations
        if exposed == total or exposed in parts
        for cell in (total, *parts)
        if cell not in marks and values[cell] > 0
    }
    if not candidates:
        return None
    return min(candidates, key=lambda cell: (values[cell], order[cell]))


# Arithmetic modulo a prime is exact, and these sums of 0 and 1 coefficients
# never come near it; floating point could call a free cell determined.
_PRIME = (1 << 61) - 1


def determined(equations: Sequence[tuple[Key, Sequence[Key]]], marks: Mapping[Key, str]) -> set:
    """The hidden cells whose value follows from the shown cells and the sums.

    Each sum, total = parts, becomes one linear equation in the hidden cells.
    The system is brought to reduced row echelon form; a hidden cell is
    determined exactly when its pivot row has no other unknown in it.
    """
    unknowns = {key: index for index, key in enumerate(marks)}
    pivots: dict[int, dict[int, int]] = {}
    for total, parts in equations:
        row: dict[int, int] = {}
        for cell, sign in ((total, -1), *((part, 1) for part in parts)):
            if cell in unknowns:
                column = unknowns[cell]
                row[column] = (row.get(column, 0) + sign) % _PRIME
        row = {column: value for column, value in row.items() if value}
        for column in [c for c in row if c in pivots]:
            factor = row.get(column, 0)
            for other, value in pivots[column].items():
                updated = (row.get(other, 0) - factor * value) % _PRIME
                if updated:
                    row[other] = updated
                else:
                    row.pop(other, None)
        if not row:
            continue
        pivot = min(row)
        inverse = pow(row[pivot], _PRIME - 2, _PRIME)
        row = {column: value * inverse % _PRIME for column, value in row.items()}
        for existing in pivots.values():
            factor = existing.get(pivot, 0)
            if not factor:
                continue
            for column, value in row.items():
                updated = (existing.get(column, 0) - factor * value) % _PRIME
                if updated:
                    existing[column] = updated
                else:
                    existing.pop(column, None)
        pivots[pivot] = row
    keys = list(unknowns)
    return {keys[pivot] for pivot, row in pivots.items() if len(row) == 1}
