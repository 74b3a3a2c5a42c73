"""Typed errors of the support desk, each carrying the i18n key of what the user is told.

BotError
├── ConfigError                 bad configuration file or environment (one line per problem)
├── KnowledgeBaseUnavailable    the knowledge-base folder cannot be read at all
└── DeskError                   a desk operation was refused; shown only to the person who acted
    ├── CaseNotFound
    ├── NotAllowed              the actor's role or relation to the case does not permit it
    ├── IllegalTransition       the case's status does not permit it (e.g. resolve an open case)
    ├── AlreadyClaimed          someone else won the claim; carries who
    ├── ReopenWindowClosed
    ├── StaleConfirmation       a confirmed thread command whose case changed after it was asked
    ├── UndoExpired             Undo clicked after its few minutes
    └── InvalidInput            a required field is missing or malformed; carries the field
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


class BotError(Exception):
    """Base of every error the bot raises on purpose."""

    user_message: str = "error.generic"

    def __init__(self, detail: str = "", **params: Any) -> None:
        super().__init__(detail or self.user_message)
        self.params: dict[str, Any] = params


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One problem in a configuration: where (a dotted key path or a file) and why."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


class ConfigError(BotError):
    user_message = "error.config"

    def __init__(self, problems: Sequence[ConfigProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = tuple(problems)


class KnowledgeBaseUnavailable(BotError):
    user_message = "error.kb_unavailable"


class DeskError(BotError):
    user_message = "error.generic"


class CaseNotFound(DeskError):
    user_message = "error.case_not_found"

    def __init__(self, case_ref: str) -> None:
        super().__init__(f"no case {case_ref}", case=case_ref)


class NotAllowed(DeskError):
    user_message = "error.not_allowed"

    def __init__(self, action: str, *, reason: str = "role") -> None:
        super().__init__(f"{action} not allowed ({reason})", action=action, reason=reason)
        self.user_message = f"error.not_allowed.{reason}"


class IllegalTransition(DeskError):
    user_message = "error.illegal_transition"

    def __init__(self, action: str, status: str) -> None:
        super().__init__(f"cannot {action} a case that is {status}", action=action, status=status)


class AlreadyClaimed(DeskError):
    user_message = "error.already_claimed"

    def __init__(self, case_ref: str, *, by: str, by_name: str) -> None:
        super().__init__(f"{case_ref} already claimed by {by}", case=case_ref, by=by, name=by_name)
        self.by = by


class ReopenWindowClosed(DeskError):
    user_message = "error.reopen_window_closed"

    def __init__(self, case_ref: str, *, days: float) -> None:
        super().__init__(f"{case_ref} was resolved too long ago", case=case_ref, days=days)


class StaleConfirmation(DeskError):
    user_message = "error.stale_confirmation"

    def __init__(self, case_ref: str) -> None:
        super().__init__(f"{case_ref} changed after the confirmation was asked", case=case_ref)


class UndoExpired(DeskError):
    user_message = "error.undo_expired"

    def __init__(self, case_ref: str) -> None:
        super().__init__(f"too late to undo on {case_ref}", case=case_ref)


class InvalidInput(DeskError):
    user_message = "error.invalid_input"

    def __init__(self, field: str, reason_key: str, **params: Any) -> None:
        super().__init__(f"{field}: {reason_key}", field=field, reason=reason_key, **params)
        self.field = field
        self.reason_key = reason_key

    @property
    def errors(self) -> Mapping[str, str]:
        return {self.field: self.reason_key}
