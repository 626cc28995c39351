"""Safe phrases for "Talk now": short first safety advice a team member sends
with one button, in the person's own language, also when they do not speak it.

The words are here, in web/*.py, because babel-portal.cfg extracts this
folder for all twelve portal languages: every phrase must exist in every
language the person may write in. Only the phrases live here; the staff's
own words about them stay in the back office.

A line sent this way is stored in the person's language (the text she
reads) with its code (core.model.ConversationMessage.phrase), so staff read
it in their own language with hers beside it."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

# In the order the buttons show them: safety first.
PHRASES = {
    "safe_to_write": _l("Are you safe to write now?"),
    "danger_112": _l("If you are in danger now, call 112."),
    "screen_seen": _l("Can someone else see your screen?"),
    "stop_any_time": _l("You can stop at any time. The quick exit button closes this page."),
    "take_your_time": _l("Take your time. I am here."),
    "call_back": _l("Do you want us to call you back at a safe moment?"),
    "interpreter": _l("We can find an interpreter. Which language do you speak?"),
    "child_in_danger": _l("Is a child in danger?"),
}


def is_phrase(code: str | None) -> bool:
    return code in PHRASES


def phrase_in(code: str, language: str) -> str:
    """The phrase as the person reads it: in her portal language."""
    with force_locale(language):
        return str(PHRASES[code])


def phrase_here(code: str) -> str:
    """The phrase in the reader's own language (the page's)."""
    return str(PHRASES[code])
