#!/usr/bin/env python3
"""
The text under boxes on PDF pages, read with PyMuPDF (MuPDF), not pdf.js: a character counts when the
middle of its MuPDF bounding box lies inside one of the boxes (normalised page coordinates, 0..1,
origin top-left, over the page as shown). For each item it prints the share of the expected text's
tokens found under the boxes (recall) and the share of the tokens under the boxes that the expected
text holds (precision).

stdin:  JSON list of {"id", "pdf": path, "page": 1-based, "boxes": [{x,y,w,h}], "text": expected}
stdout: JSON list of {"id", "recall", "precision", "under": text under the boxes (first 300 chars)}
Needs:  pip install pymupdf
"""
import json
import re
import sys
import unicodedata

import pymupdf

TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def tokens(text):
    return TOKEN.findall(unicodedata.normalize("NFKC", text).lower())


def share(want, got):
    """The share of `want`'s tokens (with repeats) found among `got`'s."""
    if not want:
        return 1.0
    have = {}
    for t in got:
        have[t] = have.get(t, 0) + 1
    found = 0
    for t in want:
        if have.get(t, 0) > 0:
            found += 1
            have[t] -= 1
    return found / len(want)


def text_under(page, boxes):
    r = page.rect
    rects = [pymupdf.Rect(r.x0 + b["x"] * r.width, r.y0 + b["y"] * r.height, r.x0 + (b["x"] + b["w"]) * r.width, r.y0 + (b["y"] + b["h"]) * r.height) for b in boxes]
    out = []
    raw = page.get_text("rawdict", flags=pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP)
    for block in raw["blocks"]:
        for line in block.get("lines", []):
            for span in line["spans"]:
                last_in = False
                for ch in span["chars"]:
                    x0, y0, x1, y1 = ch["bbox"]
                    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
                    inside = any(q.x0 <= cx <= q.x1 and q.y0 <= cy <= q.y1 for q in rects)
                    if inside:
                        out.append(ch["c"] if last_in else " " + ch["c"])
                    last_in = inside
            out.append(" ")
    return "".join(out)


def main():
    items = json.load(sys.stdin)
    docs = {}
    results = []
    for item in items:
        doc = docs.get(item["pdf"]) or docs.setdefault(item["pdf"], pymupdf.open(item["pdf"]))
        page = doc[item["page"] - 1]
        under = text_under(page, item["boxes"])
        want, got = tokens(item["text"]), tokens(under)
        results.append({"id": item["id"], "recall": share(want, got), "precision": share(got, want), "under": re.sub(r"\s+", " ", under).strip()[:300]})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
