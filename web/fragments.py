"""Markup that is the same for every visitor, rendered once per process.

A portal form page took about 6 ms of a core to render, 85 % of it in building
the same ~70 inputs, options and labels through WTForms and the field macro for
every visitor. A template now wraps such a part in

    {% call rendered_once("contact form", form.municipality.choices) %}
      ... the fields ...
    {% endcall %}

and the part is rendered the first time, then copied. The key is the name,
the page's language (every translated word depends on it) and whatever else
the markup depends on, given as the other arguments; `when=False` renders
without the cache. What a person typed, a CSRF token or a one-time submission
id is never inside a cached part: forms render those outside it, and a form
that shows what someone typed (sent back with problems) passes `when=False`.

White space between tags that holds a line break becomes one line break: the
browser shows the same (a run of white space is one space to it), and the page
weighs less (a first visit is budgeted, docs/performance.md). A <textarea> or
<pre> keeps its white space; text between tags is never touched (Jinja escaped
every < and > in it), so what someone typed stays as typed.

In a shared copy, start tags are written as short as HTML allows, for the
same reason, with the same elements and attributes in the parsed page
(minimal_markup): a value without white space, quotes, `=`, `<`, `>` or a
backtick needs no quotes, an empty one is the attribute's name alone,
`type="text"` is what an <input> is without one (and a text field's value=""
what it is without a value), and an </option> followed by another option or
the list's end is implied. A part that is not shared keeps its tags as
written (see rendered_once).

The cache is per process and bounded (least recently used goes first); it
holds markup built from the templates, the translations and the centre file's
municipalities, nothing from a request. A template changed on disk is picked
up only in development (the cache is off with auto-reload).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from threading import Lock
from typing import Any, TypeVar

from flask import Flask, current_app, g
from flask_babel import get_locale
from markupsafe import Markup, escape

EXTENSION = "fjc_fragments"
# Names x languages x the few variants each: a few hundred at most; the bound
# only guards against a key that would grow without end by mistake.
CAPACITY = 1024
Kept = TypeVar("Kept")


# A <textarea> or <pre> as it is, or a line break with the white space around it
# between two tags.
_BETWEEN_TAGS = re.compile(r"(<(textarea|pre)\b.*?</\2>)|>[ \t\r\n]*\n[ \t\r\n]*<", re.S | re.I)


def _one_line_break(match: re.Match) -> str:
    return match[1] or ">\n<"


def collapse_white_space(markup: Markup) -> Markup:
    """The same markup with each run of white space between tags that holds a
    line break made one line break (see above)."""
    # Markup in, markup out: only white space between tags is taken away.
    return Markup(_BETWEEN_TAGS.sub(_one_line_break, markup))  # noqa: S704


# A start tag whose attributes are all name="value" or bare names (anything
# else, such as a tag cut in two by a fragment's edge, is left as written).
_START_TAG = re.compile(r'<([a-zA-Z][\w-]*)((?:\s+[\w:.-]+(?:="[^"<>]*")?)*)\s*(/?)>')
_ATTRIBUTE = re.compile(r'\s+([\w:.-]+)(?:="([^"]*)")?')
# Characters that end an unquoted value or make it a parse error (HTML 5,
# "attribute value (unquoted) state"); `/` last would join a self-closing `/>`.
_NEEDS_QUOTES = re.compile(r"[\s\"'=<>`]")
# The inputs whose value is what someone types: without a value they are empty.
_TYPED_KINDS = frozenset({"text", "email", "tel", "search", "url", "password", "number"})
_IMPLIED_OPTION_END = re.compile(r"</option>(?=<option\b|<optgroup\b|</select>)", re.I)


def _short_attribute(name: str, value: str | None, last_before_slash: bool) -> str:
    if not value:
        return f" {name}"
    if _NEEDS_QUOTES.search(value) or last_before_slash:
        return f' {name}="{value}"'
    return f" {name}={value}"


def _short_start_tag(match: re.Match) -> str:
    tag, attributes, slash = match[1], match[2], match[3]
    found = [(name, value) for name, value in _ATTRIBUTE.findall(attributes)]
    if tag.lower() == "input":
        kind = next((value.lower() for name, value in found if name == "type"), "text")
        # An empty value is a text field's value without one (not a
        # checkbox's, "on", nor a button's, its default label).
        found = [
            (name, value)
            for name, value in found
            if not (name == "type" and value.lower() == "text")
            and not (name == "value" and value == "" and kind in _TYPED_KINDS)
        ]
    written = "".join(
        _short_attribute(name, value, bool(slash) and i == len(found) - 1)
        for i, (name, value) in enumerate(found)
    )
    return f"<{tag}{written}{slash}>"


def _short_tags(match: re.Match) -> str:
    if match[1]:  # a <textarea> or <pre>: its start tag only, the text as typed
        return _START_TAG.sub(_short_start_tag, match[1], count=1)
    return _START_TAG.sub(_short_start_tag, match[0])


# A <textarea> or <pre> whole, or any other start tag.
_TAGS = re.compile(r"(<(textarea|pre)\b[^>]*>.*?</\2>)|" + _START_TAG.pattern, re.S | re.I)


def minimal_markup(markup: Markup) -> Markup:
    """The same elements and attributes in shorter markup (see above)."""
    shorter = _TAGS.sub(_short_tags, markup)
    # Markup in, markup out: quotes, defaults and implied end tags go.
    return Markup(_IMPLIED_OPTION_END.sub("", shorter))  # noqa: S704


def compact(markup: Markup) -> Markup:
    """How a shared fragment is written: white space and tags made short."""
    return minimal_markup(collapse_white_space(markup))


class Fragments:
    def __init__(self, capacity: int = CAPACITY):
        self.capacity = capacity
        # Markup, or a part cut around its holes (rendered_around).
        self._markup: OrderedDict[Hashable, Any] = OrderedDict()
        # gthread workers (the live server) render side by side.
        self._lock = Lock()
        self.renders = 0

    def get_or_render(
        self,
        key: Hashable,
        render: Callable[[], Kept],
        keep: Callable[[Kept], bool] = lambda _rendered: True,
    ) -> Kept:
        with self._lock:
            found = self._markup.get(key)
            if found is not None:
                self._markup.move_to_end(key)
                return found
        # A call block's body is Markup already: Jinja escaped what it holds.
        markup = render()
        with self._lock:
            self.renders += 1
            if not keep(markup):
                return markup
            self._markup[key] = markup
            if len(self._markup) > self.capacity:
                self._markup.popitem(last=False)
        return markup


def depends_on(value) -> Hashable:
    """A hashable stand-in for what a fragment depends on: a string or number,
    a dict, or a list such as a field's choices (wtforms' SelectChoice: value,
    label, render_kw). A lazy label stands for itself by its message id: the
    language is in the key already."""
    if isinstance(value, str | int | float | bool | None):
        return value
    if isinstance(value, dict):
        return tuple(sorted((str(k), depends_on(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(depends_on(item) for item in value)
    message = getattr(value, "_args", None)  # flask-babel's LazyString
    if message is None:
        return str(value)
    variables = getattr(value, "_kwargs", None) or {}
    return ("lazy", *message, *((k, depends_on(v)) for k, v in sorted(variables.items())))


def rendered_once(
    name: str, *dependencies, when: bool = True, caller: Callable[[], Markup]
) -> Markup:
    """Jinja `{% call %}` target: the caller's markup from the cache (see above)."""
    # Not shared (what someone typed): white space only, since shortening the
    # tags costs about 0.8 ms of a core for a whole form, which a shared copy
    # pays once; such a page is not a first visit, whose weight is budgeted.
    if not when:
        return collapse_white_space(caller())
    # Off with auto-reload (development): an edited template shows at once.
    # Rendered in full, it is written as its copy is: the same bytes either way.
    if current_app.jinja_env.auto_reload:
        return compact(caller())
    key = (name, str(get_locale()), *(depends_on(value) for value in dependencies))
    return current_app.extensions[EXTENSION].get_or_render(key, lambda: compact(caller()))


# Where a hole's value goes in a part rendered once. A NUL cannot come from a
# template's text or an escaped value; the space keeps an attribute's value
# quoted when the part is written short (a path or a name may hold a space).
_HOLE = "\x00fjc hole {}\x00"
_HOLE_RE = re.compile("\x00fjc hole ([^\x00]+)\x00")


@dataclass(frozen=True)
class _Holed:
    """A part cut around its holes: text, then (hole's name, text) pairs."""

    first: str
    rest: tuple[tuple[str, str], ...]
    # False when the part held this request's CSRF token: never kept.
    shareable: bool

    def fill(self, values: Mapping[str, object]) -> Markup:
        # Each value is escaped here, as Jinja would have escaped it in place
        # (Markup, such as a translated count, stays as it is).
        parts = [self.first]
        for name, text in self.rest:
            parts.append(str(escape(values[name])))
            parts.append(text)
        return Markup("".join(parts))  # noqa: S704


def _csrf_token_of_this_request() -> str | None:
    return g.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))


def _cut_around_holes(markup: Markup) -> _Holed:
    pieces = _HOLE_RE.split(str(compact(markup)))
    token = _csrf_token_of_this_request()
    return _Holed(
        first=pieces[0],
        rest=tuple(zip(pieces[1::2], pieces[2::2], strict=True)),
        shareable=not (token and any(token in piece for piece in pieces[::2])),
    )


def rendered_around(
    name: str,
    *dependencies,
    holes: Mapping[str, object],
    caller: Callable[[Callable[[str], Markup]], Markup],
) -> Markup:
    """Jinja `{% call(hole) rendered_around(name, ..., holes={...}) %}`: like
    rendered_once, for a part that is the same for everyone but for a few
    values of the request (its CSRF token, its address, a member's name):
    the part writes `{{ hole("csrf_token") }}` where such a value goes, is
    rendered once with a mark in each hole, and each request fills the holes
    with its own values (escaped). So no value of a request is ever in the
    copy; a part that holds this request's CSRF token anyway (written without
    a hole) is not kept, and renders in full every time."""

    def hole(hole_name: str) -> Markup:
        if hole_name not in holes:
            raise KeyError(f"{name}: no value for the hole {hole_name!r}")
        return Markup(_HOLE.format(hole_name))  # noqa: S704

    def render() -> _Holed:
        return _cut_around_holes(caller(hole))

    # Off with auto-reload (development): rendered each time, the same bytes.
    if current_app.jinja_env.auto_reload:
        return render().fill(holes)
    key = ("holed", name, str(get_locale()), *(depends_on(value) for value in dependencies))
    fragments: Fragments = current_app.extensions[EXTENSION]
    found = fragments.get_or_render(key, render, keep=lambda holed: holed.shareable)
    return found.fill(holes)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = Fragments()
    app.jinja_env.globals["rendered_once"] = rendered_once
    app.jinja_env.globals["rendered_around"] = rendered_around
