"""Who is who: people from the configuration, looked up by platform account; strangers are reps."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from bot.config import Config
from bot.i18n import language_of
from bot.i18n.times import Reader, known_zone
from bot.models import Actor, Identity, Person, PersonId, Platform, Role
from bot.replies import Mention


def stranger_id(identity: Identity) -> PersonId:
    """The person id of an account the configuration does not list: `slack:U123`."""
    return PersonId(f"{identity.platform.value}:{identity.user_id}")


class Directory:
    def __init__(self, config: Config) -> None:
        self._config = config
        self._people = config.people_by_id()
        self._zone_configured = {PersonId(p.id) for p in config.people if p.timezone}
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
        return Person(
            id=person_id,
            name=user_id or person_id,
            role=Role.REP,
            timezone=self._config.home_zone(),
            identities=identities,
        )

    def actor(
        self,
        identity: Identity,
        *,
        name: str | None = None,
        locale: str | None = None,
        timezone: str | None = None,
    ) -> Actor:
        """Resolve an account to an Actor. The platform locale wins over the configured language; the
        platform's zone (`timezone`) is used when the configuration sets none for the person."""
        person = self._by_account.get(identity)
        zone = known_zone(timezone)
        if person is None:
            person = Person(
                id=stranger_id(identity),
                name=name or identity.user_id,
                timezone=zone or self._config.home_zone(),
                identities=(identity,),
            )
        elif zone and person.id not in self._zone_configured:
            person = replace(person, timezone=zone)
        language = language_of(locale) if locale else person.language
        return Actor(person=person, identity=identity, language=language)

    def reader(self, person_id: PersonId, *, lang: str | None = None) -> Reader:
        """How `person_id` reads times: their language (or `lang`) and their zone."""
        person = self.person(person_id)
        return Reader(lang or person.language, person.timezone)

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
