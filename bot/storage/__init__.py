"""Persistence of the desk: SQLAlchemy tables, the Store and its migrations."""
