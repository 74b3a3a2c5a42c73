"""Knowledge-base search: articles, multilingual analysis, ranking and the live (hot-reloaded) index."""

from bot.knowledge.analysis import detect_language, fold
from bot.knowledge.articles import Article, KbProblem
from bot.knowledge.live import LiveKnowledgeBase, load_knowledge_base
from bot.knowledge.search import KnowledgeBase, SearchHit, SearchResult

__all__ = [
    "Article",
    "KbProblem",
    "KnowledgeBase",
    "LiveKnowledgeBase",
    "SearchHit",
    "SearchResult",
    "detect_language",
    "fold",
    "load_knowledge_base",
]
