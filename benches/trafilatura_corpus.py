#!/usr/bin/env python3
"""Run trafilatura over the generic-extraction corpora, for
`sitelift bench-generic --compare`.

Reads the same pages as the benchmark (zyte-dev, web-dev, and realworld when
given), runs trafilatura's `bare_extraction` on each (with its default
settings, the page URL given), times each page, and writes one JSON file:

    {"tool": "trafilatura X.Y", "pages": {"zyte-dev/<id>": {"title", "author",
     "date", "text", "seconds"}, "web-dev/<name>": {...}, "realworld/<name>": {...}}}

which `sitelift bench-generic --compare FILE` scores with its own scorer.

Usage:
    python3 benches/trafilatura_corpus.py --corpus ../shared/corpus \
        --realworld ../shared/realworld --out target/trafilatura.json

When trafilatura is not installed (`pip install trafilatura lxml_html_clean`)
or the corpus is absent, the script says so and exits 0.
"""

import argparse
import gzip
import json
import os
import sys
import time


def pages(corpus, realworld):
    zyte = os.path.join(corpus, "zyte-dev")
    if os.path.isdir(zyte):
        with open(os.path.join(zyte, "ground-truth.json"), encoding="utf-8") as f:
            gold = json.load(f)
        for pid in sorted(gold):
            with gzip.open(os.path.join(zyte, "html", pid + ".html.gz")) as f:
                yield "zyte-dev/" + pid, gold[pid].get("url"), f.read()
    web = os.path.join(corpus, "web-dev")
    if os.path.isdir(web):
        with open(os.path.join(web, "gold.json"), encoding="utf-8") as f:
            gold = json.load(f)
        for name in sorted(gold):
            with gzip.open(os.path.join(web, "html", name + ".gz")) as f:
                yield "web-dev/" + name, gold[name].get("url"), f.read()
    if realworld and os.path.isfile(os.path.join(realworld, "expected.json")):
        with open(os.path.join(realworld, "expected.json"), encoding="utf-8") as f:
            gold = json.load(f)
        for name in sorted(gold):
            with open(os.path.join(realworld, name), "rb") as f:
                yield "realworld/" + name, gold[name].get("url"), f.read()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--realworld")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    try:
        import trafilatura
    except ImportError as e:
        print(f"trafilatura is not installed ({e}); pip install trafilatura lxml_html_clean. Nothing written.")
        return 0
    if not os.path.isdir(args.corpus):
        print(f"no corpus at {args.corpus}; nothing to run")
        return 0
    out = {"tool": "trafilatura " + trafilatura.__version__, "pages": {}}
    for key, url, raw in pages(args.corpus, args.realworld):
        t = time.perf_counter()
        try:
            doc = trafilatura.bare_extraction(raw, url=url, with_metadata=True)
        except Exception as e:  # a failure on one page is that page's score
            print(f"{key}: trafilatura failed: {e}", file=sys.stderr)
            doc = None
        secs = time.perf_counter() - t
        if doc is not None and not isinstance(doc, dict):
            doc = doc.as_dict()
        doc = doc or {}
        out["pages"][key] = {
            "title": doc.get("title") or "",
            "author": doc.get("author") or "",
            "date": doc.get("date") or "",
            "text": doc.get("text") or "",
            "seconds": secs,
        }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
    print(f"{len(out['pages'])} pages written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
