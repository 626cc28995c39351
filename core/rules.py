"""How a kernel rule says no: one exception for every refusal.

`problems` maps each field the rule is about to a code ("title" -> "missing").
The kernel has no words: the web layer turns each code into a translated message
on its field (web/forms.py), so a person sees what to change, where.
"""

from __future__ import annotations

from collections.abc import Mapping

# The key for a problem that is about no one field (the file is closed, say).
WHOLE = "__whole__"


class RuleError(ValueError):
    def __init__(self, problems: Mapping[str, str] | str, code: str | None = None):
        # RuleError("title", "missing") for one field; RuleError({...}) for several.
        if isinstance(problems, str):
            problems = {problems: code or "invalid"}
        if not problems:
            raise ValueError("a RuleError names at least one problem")
        self.problems: dict[str, str] = dict(problems)
        super().__init__(", ".join(f"{field}: {code}" for field, code in self.problems.items()))

    @property
    def code(self) -> str:
        """The code of the first problem: enough where a rule names only one."""
        return next(iter(self.problems.values()))

    @property
    def field(self) -> str:
        return next(iter(self.problems))
