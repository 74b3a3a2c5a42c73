"""Where the bundled knowledge base and the kb-dev development set live."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
BUNDLED_KB = ROOT / "knowledge_base"
KB_DEV = ROOT.parent / "shared" / "datasets" / "kb-dev"
