"""The script every change view follows, written once.

A change view (after ONS eq-questionnaire-runner's handlers) says only what is
its own: which form it reads, which kernel call it makes, what it tells the
person and where they go next. The decorator does the rest, in this order:

1. load what the URL names (404, or 403 when this member may not open it);
2. refuse a change to a closed case file (nothing changes; the page says why);
3. read and validate the form; a problem shows the page again, with what
   was typed and each message on its field;
4. call the view, which calls the kernel; a RuleError is shown the same way;
5. commit, then what the view asked to run after it (an e-mail notice),
   flash the view's message, redirect (303).

The kernel records the change (timeline and audit trail) in the same
transaction, so a view cannot forget it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import abort, flash, redirect

from backoffice.records import case_or_404, intake_or_404, refuse_if_closed
from core.rules import RuleError
from web.db import db
from web.forms import Form, Messages, show_rule_error


@dataclass(frozen=True)
class Done:
    """A change went through: what to tell the person (None: nothing), and the
    URL of the page to show next."""

    message: str | None
    to: str
    # Run once the change is committed (a notice by e-mail): never before, so
    # nobody is told of a change that was not stored.
    after_commit: Callable[[], Any] | None = None


# page(found, form, **url_ids) -> the page again, with the refused form.
Page = Callable[..., Any]


def change_view(
    load: Callable[[int], Any],
    key: str,
    *,
    form: Callable[[], Form] | None = None,
    page: Page | None = None,
    messages: Messages | None = None,
    guard: Callable[[Any], Any] | None = None,
    back: Callable[[Any], str] | None = None,
):
    """Wrap a view `view(found, form, **url_ids) -> Done` that changes what
    `load(url_ids[key])` finds; the other ids of the URL go to the view.
    `form` is a form class, or a function that makes the form (when its fields
    depend on settings, as the risk instrument's questions do).
    Without a form class the view gets None (a step without fields: take,
    approve, end); its refusal is told in `messages`' words on the page
    `back(found)` leads to, and without `back` it is a bad request (400)."""

    def decorate(view: Callable[..., Done]):
        @wraps(view)
        def handle(**url_ids):
            found = load(url_ids.pop(key))
            if guard is not None and (refused := guard(found)) is not None:
                return refused
            submitted = form() if form is not None else None
            if submitted is not None:
                submitted.prepare(found)
                if not submitted.validate():
                    return _again(page, found, submitted, url_ids)
            try:
                outcome = view(found, submitted, **url_ids)
            except RuleError as error:
                db.session.rollback()
                if submitted is None and messages is not None and back is not None:
                    flash(messages(error.field, error.code))
                    return redirect(back(found), code=303)
                if submitted is None or messages is None:
                    abort(400)
                show_rule_error(submitted, error, messages)
                return _again(page, found, submitted, url_ids)
            db.session.commit()
            if outcome.after_commit is not None:
                outcome.after_commit()
            if outcome.message:
                flash(outcome.message)
            return redirect(outcome.to, code=303)

        return handle

    return decorate


def _again(page: Page | None, found, submitted: Form, url_ids: dict):
    if page is None:
        abort(400)
    return page(found, submitted, **url_ids)


def case_change(*, open_only: bool = True, **options):
    """A change to a case file; refused while the file is closed, except for
    the few changes that must work on a closed file too (open_only=False)."""
    guard = refuse_if_closed if open_only else None
    return change_view(case_or_404, "case_id", guard=guard, **options)


def intake_change(**options):
    """A change to a request (triage)."""
    return change_view(intake_or_404, "intake_id", **options)
