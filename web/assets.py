"""Static files as sent: the built copies of web/asset_build.py, found through its
manifest, with a year's caching and their gzip copies for who accepts them.

Templates keep naming the source (`url_for('static', filename='css/site.css')`);
the page then links /static/build/css/site.3f2a9c1d.css. A file with a hash in
its name never changes, so browsers keep it for a year without asking again
(`immutable`); a new build gives new names. Nothing is compressed at request
time: the `.gz` beside each built file was made at build time.

Without a build (someone started the app without `make setup`), or for a
source edited since the build, the app sends the source file itself under its
own name, revalidated on each use as any unbuilt file, and says so once at start.
In debug mode (`flask --debug run`) pages always link the sources, so an edit
shows at the next reload.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import re
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, abort, current_app, request, send_file, url_for
from werkzeug.security import safe_join

from web.asset_build import BUILD_DIRNAME, HASH_LENGTH, MANIFEST_FORMAT, MANIFEST_NAME

EXTENSION = "fjc_assets"
# A year, the most HTTP caches honour; `immutable`: not even a reload asks again.
HASHED_CACHE_CONTROL = "public, max-age=31536000, immutable"
# Files under their own names may change at a deploy: a browser asks each time
# (a 304 when unchanged), as for every static file before the build existed.
SOURCE_CACHE_CONTROL = "no-cache"
# What web/asset_build.py names its files: stem.<8 hex digits>.extension.
HASHED_NAME = re.compile(rf"\.[0-9a-f]{{{HASH_LENGTH}}}\.[A-Za-z0-9]+$")


@dataclass(frozen=True)
class Assets:
    # Source name (css/site.css) -> its name under static/ (build/css/site.3f2a9c1d.css).
    urls: dict[str, str]
    build_dir: Path
    # (where the app is mounted, source name) -> the address a page links
    # (static_url).
    linked: dict[tuple[str, str], str] = field(default_factory=dict)


def init_app(app: Flask) -> None:
    static_dir = Path(app.static_folder or "static")
    app.config.setdefault("ASSETS_BUILD_DIR", str(static_dir / BUILD_DIRNAME))
    build_dir = Path(app.config["ASSETS_BUILD_DIR"]).resolve()
    # `flask --debug run`: pages link the sources, so an edited stylesheet shows
    # at the next reload (the reloader restarts for Python files only).
    app.extensions[EXTENSION] = (
        Assets({}, build_dir) if app.debug else load(static_dir, build_dir, app.logger)
    )
    app.url_defaults(_hashed_url)
    app.jinja_env.globals["static_url"] = static_url
    app.view_functions["static"] = _send_static


def load(static_dir: Path, build_dir: Path, logger) -> Assets:
    """What the manifest in `build_dir` offers for the sources still as built."""
    manifest_path = build_dir / MANIFEST_NAME
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        logger.warning(
            "%s is missing: static files are sent unminified and uncompressed under "
            "their own names; run `make setup` to build them",
            manifest_path,
        )
        return Assets({}, build_dir)
    except ValueError:
        logger.warning("%s is unreadable; run `make setup` to rebuild it", manifest_path)
        return Assets({}, build_dir)
    if manifest.get("format") != MANIFEST_FORMAT:
        logger.warning("%s is of another format; run `make setup`", manifest_path)
        return Assets({}, build_dir)
    urls: dict[str, str] = {}
    stale = []
    for source_name, entry in sorted(manifest["assets"].items()):
        built = build_dir / entry["file"].removeprefix(f"{BUILD_DIRNAME}/")
        if _sha256(static_dir / source_name) == entry["source_sha256"] and built.is_file():
            urls[source_name] = entry["file"]
        else:
            stale.append(source_name)
    if stale:
        logger.warning(
            "static files changed since the last build, sent as they are: %s; "
            "run `make setup` to build them",
            ", ".join(stale),
        )
    return Assets(urls, build_dir)


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


# Mount points x the dozen files pages link; a bound in case a proxy passes
# on a prefix a client made up.
LINKED_CAPACITY = 256


def static_url(filename: str) -> str:
    """url_for('static', filename=...), kept per process and mount point: every
    staff page links the same six files, and each url_for cost about 40 µs
    (the URL map's build and this module's url_defaults)."""
    assets: Assets = current_app.extensions[EXTENSION]
    key = (request.script_root, filename)
    found = assets.linked.get(key)
    if found is None:
        found = url_for("static", filename=filename)
        if len(assets.linked) >= LINKED_CAPACITY:
            assets.linked.clear()
        assets.linked[key] = found
    return found


def _hashed_url(endpoint: str, values: dict) -> None:
    """url_for('static', filename='css/site.css') -> /static/build/css/site.<hash>.css"""
    if endpoint == "static":
        built = current_app.extensions[EXTENSION].urls.get(values.get("filename"))
        if built is not None:
            values["filename"] = built


def _send_static(filename: str):
    assets: Assets = current_app.extensions[EXTENSION]
    built_name = filename.removeprefix(f"{BUILD_DIRNAME}/")
    if built_name == filename:
        response = current_app.send_static_file(filename)
        response.headers["Cache-Control"] = SOURCE_CACHE_CONTROL
        return response
    # Any file a build made, not only those of this process's manifest: a name
    # holds one content for good, and a page from a worker started before or
    # after the last build (a deploy under way) still gets its files.
    path = safe_join(str(assets.build_dir), built_name)
    if path is None or not HASHED_NAME.search(built_name) or not Path(path).is_file():
        abort(404)  # the manifest, a half-written file, a name no build made
    mimetype = mimetypes.guess_type(built_name)[0] or "application/octet-stream"
    packed = Path(f"{path}.gz")
    has_gzip = packed.is_file()
    if has_gzip and request.accept_encodings["gzip"] > 0:
        response = send_file(packed, mimetype=mimetype, download_name=Path(path).name)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = send_file(path, mimetype=mimetype)
    if has_gzip:
        response.vary.add("Accept-Encoding")
    response.headers["Cache-Control"] = HASHED_CACHE_CONTROL
    return response
