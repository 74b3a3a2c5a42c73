"""Where the bundled knowledge base and the own multilingual query set live."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
BUNDLED_KB = ROOT / "knowledge_base"
QUERIES = Path(__file__).resolve().parent / "queries.yaml"
