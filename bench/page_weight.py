"""Bytes a first visit to each portal page costs: the HTML plus every CSS, JS and
image file it references, uncompressed and as sent compressed (issue 22).

Compressed as sent: the HTML as nginx gzips it for the portal (at the
gzip_comp_level of deploy/nginx/fjc-proxy.conf, with Python's gzip at that
level), each static file as the app sends it to a browser that accepts gzip
(its precompressed copy from `make setup`, web/asset_build.py). Without a build
the static files count as sent, unminified and uncompressed: run `make setup`.
"""

from __future__ import annotations

import gzip
import re

from bench.harness import bench_app
from core.infra.config import PROJECT_ROOT

# The start page, and the contact page (the heaviest first page) in every
# language: their words differ in length, and Arabic, Persian and Cyrillic
# letters take two bytes each.
CONTACT_LANGUAGES = ["nl", "fr", "de", "en", "ar", "tr", "pl", "ro", "bg", "uk", "ru", "fa"]
PAGES = ["/nl/", *(f"/{language}/contact" for language in CONTACT_LANGUAGES)]
# Quoted or not: the shared fragments write values without quotes where HTML allows.
ASSET = re.compile(r'(?:href|src)=(?:"(/static/[^"]+)"|(/static/[^\s>]+))')
BUDGET = 20 * 1024
COMPRESSED_BUDGET = 8 * 1024
PROXY_CONFIG = PROJECT_ROOT / "deploy" / "nginx" / "fjc-proxy.conf"
ACCEPT_GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def nginx_gzip_level() -> int:
    found = re.search(r"^gzip_comp_level\s+(\d+);", PROXY_CONFIG.read_text(), re.MULTILINE)
    assert found, f"{PROXY_CONFIG} sets no gzip_comp_level"
    return int(found.group(1))


def weigh(client, path: str, level: int) -> dict[str, int]:
    """Bytes of `path` and what it loads: plain and as sent compressed."""
    html = client.get(path).get_data()
    assets = sorted({quoted or bare for quoted, bare in ASSET.findall(html.decode("utf-8"))})
    plain = sent = 0
    for asset in assets:
        plain += len(client.get(asset, headers={"Accept-Encoding": "identity"}).get_data())
        sent += len(client.get(asset, headers=ACCEPT_GZIP).get_data())
    return {
        "html": len(html),
        "assets": plain,
        "total": len(html) + plain,
        "html_gzip": len(gzip.compress(html, compresslevel=level)),
        "assets_gzip": sent,
        "total_gzip": len(gzip.compress(html, compresslevel=level)) + sent,
    }


def _verdict(value: int, budget: int) -> str:
    return "meets" if value <= budget else "misses"


def main() -> None:
    app = bench_app()
    client = app.test_client()
    level = nginx_gzip_level()
    languages = app.config["FJC_LANGUAGES"]
    pages = [page for page in PAGES if page.split("/")[1] in languages]
    print(
        f"page weight (first visit): uncompressed budget {BUDGET} B, "
        f"compressed {COMPRESSED_BUDGET} B (HTML gzip level {level} as nginx, "
        "static files as their .gz)"
    )
    print(
        f"  {'page':<14}{'html':>7}{'assets':>8}{'total':>8}  {'':<7}"
        f"{'html.gz':>8}{'assets.gz':>10}{'total.gz':>9}"
    )
    for path in pages:
        w = weigh(client, path, level)
        print(
            f"  {path:<14}{w['html']:>7}{w['assets']:>8}{w['total']:>8}  "
            f"{_verdict(w['total'], BUDGET):<7}"
            f"{w['html_gzip']:>8}{w['assets_gzip']:>10}{w['total_gzip']:>9}  "
            f"{_verdict(w['total_gzip'], COMPRESSED_BUDGET)}"
        )


if __name__ == "__main__":
    main()
