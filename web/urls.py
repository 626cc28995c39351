"""URL converters every face shares.

Werkzeug's <int:...> takes any run of digits; 30 of them overflow the
databases' 64-bit integers, and the lookup then ends in a server error. Ids
in a URL stop at the largest id a row can have: a longer one finds nothing
(404), as any id that does not exist."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

from core.infra.ids import MAX_ID


class RowIdConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app) -> None:
    # Before any blueprint adds its rules: every <int:...> uses it.
    app.url_map.converters["int"] = RowIdConverter
