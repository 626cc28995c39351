"""Whole pages that are the same for every visitor but for their hidden tokens,
rendered once per process and copied.

The portal's start page, its safety page and a door's blank form are the same
markup for everyone who asks in a language at an address: web/fragments.py
already copies their parts, but a visit still built the door's WTForms form
(binding about twenty fields) and ran the templates around the parts, more
than half of such a page's time. A view now asks

    shared_page("portal/contact.html", render, municipalities.listed(),
                tokens={"csrf_token": generate_csrf(), "submission_id": new_id})

and gets the page: the first time `render()` renders it in full, with those
same token values, and the page is kept cut around them; after that it is the
kept text with this visit's values in their place. So the CSRF token and the
one-time submission id are new on every visit, as before, and a copy holds no
token of anyone: each value must occur exactly once in the page, or the page
is not kept (rendered in full every time, as if nothing were shared).

A copy is kept per page, language, endpoint and address (scheme, host and
root path: a page may link to itself in full, and a client chooses its Host
header, so one address's copy never answers another), and holds only as long as the
dependencies the view names compare equal (the list of municipalities, which
the process replaces when it reads the list again; web/fragments.py's copies
say the same of their own parts). Pages with what someone typed (a form sent
back with problems) are never asked for here, nor a page whose template reads
anything of the visitor (a session value, a flashed message): the first
visitor's would be everyone's. Off with auto-reload
(development), so an edited template shows at once; bounded like the
fragments' cache.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from threading import Lock

from flask import Flask, current_app, request
from flask_babel import get_locale
from markupsafe import escape

EXTENSION = "fjc_shared_pages"
# Pages x languages: about a hundred; the bound guards against a key that grows
# by mistake, or with every Host header a client makes up.
CAPACITY = 256


@dataclass(frozen=True)
class _Copy:
    dependencies: tuple
    # The text around the token values, and the names of those values in the
    # order the page shows them; pieces is None when the page cannot be shared.
    pieces: tuple[str, ...] | None
    names: tuple[str, ...]

    def page(self, tokens: Mapping[str, str]) -> str:
        assert self.pieces is not None
        parts = [self.pieces[0]]
        for name, piece in zip(self.names, self.pieces[1:], strict=True):
            parts.append(str(escape(tokens[name])))
            parts.append(piece)
        return "".join(parts)


def _cut(page: str, tokens: Mapping[str, str]) -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
    """The page cut around each token's value, which must occur exactly once."""
    found = []
    for name, value in tokens.items():
        written = str(escape(value))
        at = page.find(written)
        if not written or at < 0 or page.find(written, at + 1) >= 0:
            return None, ()
        found.append((at, at + len(written), name))
    found.sort()
    pieces, start = [], 0
    for at, end, _name in found:
        if at < start:  # two values overlapping: not a page to cut
            return None, ()
        pieces.append(page[start:at])
        start = end
    pieces.append(page[start:])
    return tuple(pieces), tuple(name for _at, _end, name in found)


class SharedPages:
    def __init__(self, capacity: int = CAPACITY):
        self.capacity = capacity
        self._copies: OrderedDict[Hashable, _Copy] = OrderedDict()
        # gthread workers (the live server) serve side by side.
        self._lock = Lock()
        self.renders = 0

    def page(
        self,
        key: Hashable,
        dependencies: tuple,
        tokens: Mapping[str, str],
        render: Callable[[], str],
    ) -> str:
        with self._lock:
            kept = self._copies.get(key)
            if kept is not None and kept.dependencies == dependencies:
                self._copies.move_to_end(key)
            else:
                kept = None
        if kept is not None:
            return kept.page(tokens) if kept.pieces is not None else render()
        page = render()
        pieces, names = _cut(page, tokens)
        with self._lock:
            self.renders += 1
            self._copies[key] = _Copy(dependencies, pieces, names)
            self._copies.move_to_end(key)
            if len(self._copies) > self.capacity:
                self._copies.popitem(last=False)
        return page


def shared_page(
    name: str,
    render: Callable[[], str],
    *dependencies,
    tokens: Mapping[str, str] | None = None,
) -> str:
    """The page `name` (see above): `render()` renders it in full, with the
    same `tokens` (hidden field name -> this visit's value)."""
    tokens = tokens or {}
    if current_app.jinja_env.auto_reload:
        return render()
    # The address as its parts: request.root_url builds the same from them,
    # at three times the cost.
    key = (
        name,
        str(get_locale()),
        request.endpoint,
        request.scheme,
        request.host,
        request.script_root,
    )
    return current_app.extensions[EXTENSION].page(key, dependencies, tokens, render)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = SharedPages()
