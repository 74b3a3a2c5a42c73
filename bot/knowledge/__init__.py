"""Knowledge-base search: articles, the learned multilingual ranker, calibrated answers and the live index."""

from bot.knowledge.analysis import detect_language, fold
from bot.knowledge.articles import Article, KbProblem
from bot.knowledge.encoder import Encoder, load_encoder
from bot.knowledge.live import LiveKnowledgeBase, load_knowledge_base
from bot.knowledge.search import KnowledgeBase, SearchHit, SearchResult

__all__ = [
    "Article",
    "Encoder",
    "KbProblem",
    "KnowledgeBase",
    "LiveKnowledgeBase",
    "SearchHit",
    "SearchResult",
    "detect_language",
    "fold",
    "load_encoder",
    "load_knowledge_base",
]
