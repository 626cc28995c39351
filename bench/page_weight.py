"""Bytes a first visit to each portal page costs: the HTML plus every CSS, JS and
image file it references, uncompressed. The portal's budget is 30 KB."""

from __future__ import annotations

import re

from bench.harness import bench_app

PAGES = ["/nl/", "/nl/contact", "/fr/contact", "/en/contact"]
ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')
BUDGET = 30 * 1024


def main() -> None:
    app = bench_app()
    client = app.test_client()
    print("page weight (first visit, uncompressed)")
    print(f"  {'page':<16}{'html':>8}{'assets':>9}{'total':>9}  budget {BUDGET} B")
    for path in PAGES:
        html = client.get(path).get_data()
        assets = sorted(set(ASSET.findall(html.decode("utf-8"))))
        asset_bytes = sum(len(client.get(asset).get_data()) for asset in assets)
        total = len(html) + asset_bytes
        flag = "" if total <= BUDGET else "  OVER BUDGET"
        print(f"  {path:<16}{len(html):>8}{asset_bytes:>9}{total:>9}{flag}")


if __name__ == "__main__":
    main()
