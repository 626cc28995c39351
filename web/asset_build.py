"""Build the static files for sending: `python -m web.asset_build` (`make setup`).

For every file under static/ (css, js, img) it writes, under static/build/, a
minified copy named by its content (css/site.css -> css/site.3f2a9c1d.css), a
gzip -9 copy beside it (`.gz`, when that is smaller) and manifest.json, which
maps each source to its built name. A browser may keep a file with a hash in
its name for a year: a changed file gets a new name, so it is never stale.
web/assets.py reads the manifest at start and serves the built files.

Deterministic: the same sources give the same bytes (gzip with mtime 0), so a
rebuild that changes nothing rewrites nothing. The build output is not kept in
git (.gitignore). The files of the build before stay (the manifest lists them
under "previous"): during a deploy a page from a worker not yet restarted still
finds its stylesheet. Older ones are removed.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import re
from pathlib import Path

import rcssmin
from calmjs.parse import es5
from calmjs.parse.unparsers.es5 import minify_print

from core.infra.config import PROJECT_ROOT

STATIC_DIR = PROJECT_ROOT / "static"
# Inside static/, so Flask's static route reaches the built files too; the
# build never reads its own output as a source.
BUILD_DIRNAME = "build"
BUILD_DIR = STATIC_DIR / BUILD_DIRNAME
MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
HASH_LENGTH = 8  # hex digits of the content's SHA-256: 32 bits among a dozen files
GZIP_LEVEL = 9


# rcssmin keeps what it need not touch; three safe shortenings more, since every
# first visit loads site.css: "0.5rem" -> ".5rem", [type="text"] -> [type=text]
# (an identifier needs no quotes), and the logical sizes as the physical ones
# they are in the horizontal writing of every page (inline-size is width,
# block-size height, in right-to-left too; a phone older than the logical names
# knows these). Margins, paddings, borders and insets stay logical: those are
# what mirror in right-to-left.
_LEADING_ZERO = re.compile(r"(?<![\w.#-])0\.(\d)")
_QUOTED_IDENTIFIER = re.compile(r'\[([a-z][\w-]*)="([a-z][\w-]*)"\]')
_LOGICAL_SIZE = re.compile(r"(?<![\w-])((?:min-|max-)?)(inline|block)-size:")
_PHYSICAL = {"inline": "width", "block": "height"}


def _physical_size(match: re.Match) -> str:
    return f"{match[1]}{_PHYSICAL[match[2]]}:"


# The colours are named once, in site.css's :root (--ink: #1d1d1b), and used
# as var(--ink) in every sheet. A name that no other rule or sheet sets has that
# one value on every element, so the build writes the value where it is used
# (site.css: 114 bytes); the :root rule stays for anything else that reads it,
# and var(--x, fallback) stays as written.
COLOURS_SHEET = Path("css") / "site.css"
_ROOT_RULE = re.compile(r":root\s*\{([^}]*)\}")
_CUSTOM_PROPERTY = re.compile(r"(--[\w-]+)\s*:\s*([^;}]+?)\s*(?:;|$)")
_VAR = re.compile(r"var\((--[\w-]+)\)")


def custom_properties(static_dir: Path = STATIC_DIR) -> dict[str, str]:
    """site.css's :root custom properties that no other rule or sheet sets."""
    root = _ROOT_RULE.search((static_dir / COLOURS_SHEET).read_text(encoding="utf-8"))
    if root is None:
        return {}
    values = dict(_CUSTOM_PROPERTY.findall(root[1]))
    set_where = [
        name
        for sheet in sorted(static_dir.glob("css/*.css"))
        for name, _ in _CUSTOM_PROPERTY.findall(
            re.sub(r"/\*.*?\*/", "", sheet.read_text("utf-8"), flags=re.S)
        )
    ]
    return {name: value for name, value in values.items() if set_where.count(name) == 1}


def _minify_css(text: str, properties: dict[str, str] | None = None) -> str:
    text = rcssmin.cssmin(text)
    text = _QUOTED_IDENTIFIER.sub(r"[\1=\2]", _LEADING_ZERO.sub(r".\1", text))
    text = _LOGICAL_SIZE.sub(_physical_size, text)
    if properties:
        text = _VAR.sub(lambda m: properties.get(m[1], m[0]), text)
    return text


def _minify_js(text: str) -> str:
    # Comments and white space go, and local names shrink (exit.js 6.2 KB with
    # white space alone removed, 4.7 KB so); globals and properties keep their
    # names, so the page's ids, data-* texts and DOM calls stay as written.
    # tests/browser run the built files.
    # drop_semi: no `;` before a `}` (exit.js 74 bytes).
    return minify_print(es5(text), obfuscate=True, obfuscate_globals=False, drop_semi=True)


def built_bytes(source: Path, properties: dict[str, str] | None = None) -> bytes:
    """The bytes to send for `source`: minified CSS (with `properties`, the
    custom properties to write as their values) and JS, other files as they are."""
    if source.suffix == ".css":
        return _minify_css(source.read_text(encoding="utf-8"), properties).encode("utf-8")
    if source.suffix == ".js":
        return _minify_js(source.read_text(encoding="utf-8")).encode("utf-8")
    return source.read_bytes()


def hashed_name(relative: str, content: bytes) -> str:
    """css/site.css -> css/site.3f2a9c1d.css, named by the built content."""
    digest = hashlib.sha256(content).hexdigest()[:HASH_LENGTH]
    path = Path(relative)
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}").as_posix())


def gzipped(content: bytes) -> bytes:
    # mtime=0 and no file name in the header: the same input, the same bytes.
    return gzip.compress(content, compresslevel=GZIP_LEVEL, mtime=0)


def sources(static_dir: Path = STATIC_DIR) -> list[Path]:
    """Every file under static/ but the build output and hidden files."""
    found = []
    for path in sorted(static_dir.rglob("*")):
        relative = path.relative_to(static_dir)
        if relative.parts[0] == BUILD_DIRNAME or any(p.startswith(".") for p in relative.parts):
            continue
        if path.is_file():
            found.append(path)
    return found


def _write_if_changed(path: Path, content: bytes) -> bool:
    if path.exists() and path.read_bytes() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(content)
    os.replace(temporary, path)  # whole or not at all, for an app starting meanwhile
    return True


def _read_manifest(build_dir: Path) -> dict:
    try:
        manifest = json.loads((build_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if manifest.get("format") == MANIFEST_FORMAT else {}


def _files_of(assets: dict) -> set[str]:
    """Names under the build directory of the files that `assets` lists."""
    names = set()
    for entry in assets.values():
        name = entry["file"].removeprefix(f"{BUILD_DIRNAME}/")
        names.add(name)
        if entry["gzip"]:
            names.add(f"{name}.gz")
    return names


def build(static_dir: Path = STATIC_DIR, build_dir: Path | None = None) -> dict:
    """Build every source of `static_dir` into `build_dir`; return the manifest."""
    build_dir = build_dir or static_dir / BUILD_DIRNAME
    before = _read_manifest(build_dir)
    assets: dict[str, dict[str, object]] = {}
    properties = custom_properties(static_dir) if (static_dir / COLOURS_SHEET).is_file() else {}
    for source in sources(static_dir):
        relative = source.relative_to(static_dir).as_posix()
        content = built_bytes(source, properties)
        name = hashed_name(relative, content)
        _write_if_changed(build_dir / name, content)
        compressed = gzipped(content)
        # A tiny file (the favicon) grows when gzipped: then only the plain copy.
        has_gzip = len(compressed) < len(content)
        if has_gzip:
            _write_if_changed(build_dir / f"{name}.gz", compressed)
        assets[relative] = {
            "file": f"{BUILD_DIRNAME}/{name}",
            "gzip": has_gzip,
            # The app compares it at start: a source edited since the build is
            # served as it is (web/assets.py), never an old build of it.
            "source_sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
        }
    current = _files_of(assets)
    if before.get("assets") == assets:
        previous = set(before.get("previous", []))  # nothing changed: keep what was kept
    else:
        previous = _files_of(before.get("assets", {})) - current
    manifest = {"format": MANIFEST_FORMAT, "assets": assets, "previous": sorted(previous)}
    text = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
    _write_if_changed(build_dir / MANIFEST_NAME, text.encode("utf-8"))
    # Only after the new manifest is in place: an app starting meanwhile finds
    # every file its manifest names.
    wanted = {build_dir / name for name in current | previous} | {build_dir / MANIFEST_NAME}
    for path in sorted(build_dir.rglob("*"), reverse=True):
        if path.is_file() and path not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return manifest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--static-dir", type=Path, default=STATIC_DIR)
    parser.add_argument("--build-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    build_dir = args.build_dir or args.static_dir / BUILD_DIRNAME
    manifest = build(args.static_dir, build_dir)
    print(f"static files: {len(manifest['assets'])} built into {build_dir}")


if __name__ == "__main__":
    main()
