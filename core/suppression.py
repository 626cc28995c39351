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
    return marks
