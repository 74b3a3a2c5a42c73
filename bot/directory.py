"""Who is who: people from the configuration, looked up by platform account; strangers are reps."""

from __future__ import annotations

from collections.abc import Iterable

from bot.config import Config
from bot.i18n import language_of
from bot.models import Actor, Identity, Person, PersonId, Platform, Role
from bot.replies import Mention


def stranger_id(identity: Identity) -> PersonId:
    """The person id of an account the configuration does not list: `slack:U123`."""
    return PersonId(f"{identity.platform.value}:{identity.user_id}")


class Directory:
    def __init__(self, config: Config) -> None:
        self._config = config
        self._people = {PersonId(p.id): p.to_person() for p in config.people}
        self._by_account = {
            identity: person for person in self._people.values() for identity in person.identities
        }

    @property
    def people(self) -> dict[PersonId, Person]:
        return self._people

    def person(self, person_id: PersonId) -> Person:
        """The configured person, or a rep built from a stranger id (`slack:U123`)."""
        known = self._people.get(person_id)
        if known:
            return known
        platform, _, user_id = person_id.partition(":")
        identities = (
            (Identity(Platform(platform), user_id),) if platform in ("slack", "teams") and user_id else ()
        )
        return Person(id=person_id, name=user_id or person_id, role=Role.REP, identities=identities)

    def actor(self, identity: Identity, *, name: str | None = None, locale: str | None = None) -> Actor:
        """Resolve an account to an Actor; the platform locale wins over the configured language."""
        person = self._by_account.get(identity)
        if person is None:
            person = Person(id=stranger_id(identity), name=name or identity.user_id, identities=(identity,))
        language = language_of(locale) if locale else person.language
        return Actor(person=person, identity=identity, language=language)

    def mention(self, person_id: PersonId) -> Mention:
        person = self.person(person_id)
        return Mention(person.name, tuple((i.platform, i.user_id) for i in person.identities))

    def mentions(self, people: Iterable[PersonId]) -> tuple[Mention, ...]:
        return tuple(self.mention(p) for p in dict.fromkeys(people))

    def name(self, person_id: PersonId | None) -> str:
        return self.person(person_id).name if person_id else "-"

    def home_region(self, person_id: PersonId) -> str:
        person = self._people.get(person_id)
        if person and person.regions:
            return person.regions[0]
        return self._config.default_region or next(iter(self._config.regions))

    def language(self, person_id: PersonId) -> str:
        return self.person(person_id).language
