"""Settings from the environment and the YAML configuration (regions, people, rotas, escalation policy).

`Settings.from_env(environ)` is the only reader of environment variables in the project.
`load_config(path)` turns the YAML file into typed, frozen models or raises `ConfigError` listing every
problem with its key path (`regions.PL.timezone: unknown time zone 'Europe/Warsw'`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.errors import ConfigError, ConfigProblem
from bot.i18n import languages
from bot.models import Identity, Person, PersonId, Platform, Priority, Role

BUNDLED_CONFIG = Path(__file__).with_name("demo_config.yml")
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/supportbot.db"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h|d|w)\s*$")
_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: Any) -> timedelta:
    """`90s`, `5m`, `2h`, `3d`, `1w` (or a number of minutes) -> timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(minutes=value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"not a duration: {value!r} (use e.g. 30s, 5m, 2h, 3d, 1w)")
    return timedelta(seconds=float(match[1]) * _UNITS[match[2]])


def _parse_time(value: Any) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, int):  # YAML 1.1 reads 09:00 as sexagesimal 540
        return time(value // 60, value % 60)
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"not a time of day: {value!r} (use HH:MM)") from None


def _check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}") from None
    return value


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
TimeOfDay = Annotated[time, BeforeValidator(_parse_time)]
Zone = Annotated[str, BeforeValidator(lambda v: _check_zone(str(v)))]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _check_language(value: object) -> str:
    code = str(value)
    if not languages.is_known(code):
        raise ValueError(f"unknown language {code!r} (known: {', '.join(languages.CODES)})")
    return code


Lang = Annotated[str, BeforeValidator(_check_language)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WorkingHours(_Model):
    """Hours in which a layer is on, or in which a business-hours clock runs, in `timezone`."""

    days: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
    start: TimeOfDay = time(8, 0)
    end: TimeOfDay = time(18, 0)

    @model_validator(mode="after")
    def _ordered(self) -> WorkingHours:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class RotaLayer(_Model):
    """People take turns: each holds a shift of `shift` starting at `handoff` local time (and weekday)."""

    name: str = "primary"
    people: tuple[str, ...]
    shift: Duration = timedelta(weeks=1)
    handoff: TimeOfDay = time(9, 0)
    handoff_weekday: Weekday = "mon"
    timezone: Zone | None = None
    start: date = date(2026, 1, 5)
    restrict: WorkingHours | None = None
    skip_holidays: bool = False

    @field_validator("people")
    @classmethod
    def _not_empty(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not v:
            raise ValueError("a layer needs at least one person")
        return v

    @field_validator("shift")
    @classmethod
    def _long_enough(cls, v: timedelta) -> timedelta:
        if v < timedelta(hours=1):  # handoffs are wall-clock times: a shift must outlast a DST jump
            raise ValueError("a shift lasts at least 1h")
        return v


class Channels(_Model):
    slack: str | None = None
    teams: str | None = None


class Region(_Model):
    name: str
    timezone: Zone = "UTC"
    language: Lang = "en"
    channels: Channels = Channels()
    layers: tuple[RotaLayer, ...] = Field(
        default=(), description="later layers win when both have someone on"
    )
    backup: tuple[str, ...] = ()
    supervisors: tuple[str, ...] = ()
    holidays: str | None = Field(default=None, description="country code for public holidays, e.g. PL")
    business_hours: WorkingHours | None = None

    @field_validator("holidays")
    @classmethod
    def _known_country(cls, v: str | None) -> str | None:
        if v is not None:
            import holidays

            if v.upper() not in holidays.list_supported_countries():
                raise ValueError(f"no public-holiday calendar for country {v!r}")
        return v


class PersonConfig(_Model):
    id: str
    name: str
    role: Role = Role.REP
    regions: tuple[str, ...] = ()
    timezone: Zone | None = Field(default=None, description="unset: the zone of their first region")
    language: Lang = "en"
    slack: str | None = None
    teams: str | None = None

    def to_person(self, *, default_zone: str = "UTC") -> Person:
        """The person as the desk knows them; `default_zone` when no zone is configured (their region's)."""
        identities = tuple(
            Identity(platform, user_id)
            for platform, user_id in ((Platform.SLACK, self.slack), (Platform.TEAMS, self.teams))
            if user_id
        )
        return Person(
            id=PersonId(self.id),
            name=self.name,
            role=self.role,
            regions=self.regions,
            timezone=self.timezone or default_zone,
            language=self.language,
            identities=identities,
        )


class Targets(_Model):
    claim: Duration
    resolve: Duration


NotifyTarget = Literal["on_duty", "backup", "supervisors", "channel", "assignee"]


class EscalationStep(_Model):
    """At `after` (counted from creation, or from release), notify these targets."""

    after: Duration
    notify: tuple[NotifyTarget, ...]


class ResolveReminders(_Model):
    every: Duration = timedelta(hours=4)
    tell_supervisor_after: int = Field(
        default=2, ge=1, description="unanswered reminders before the supervisor hears"
    )


class EscalationPolicy(_Model):
    steps: dict[Priority, tuple[EscalationStep, ...]]
    regions: dict[str, dict[Priority, tuple[EscalationStep, ...]]] = {}
    business_hours: bool = False
    resolve_reminders: ResolveReminders = ResolveReminders()

    @field_validator("steps")
    @classmethod
    def _ordered(
        cls, v: dict[Priority, tuple[EscalationStep, ...]]
    ) -> dict[Priority, tuple[EscalationStep, ...]]:
        for priority, steps in v.items():
            if [s.after for s in steps] != sorted(s.after for s in steps):
                raise ValueError(f"{priority}: steps must be in order of `after`")
        return v

    def steps_for(self, priority: Priority, region: str) -> tuple[EscalationStep, ...]:
        return self.regions.get(region, {}).get(priority) or self.steps.get(priority, ())


def _default_policy() -> EscalationPolicy:
    return EscalationPolicy(
        steps={p: (EscalationStep(after=timedelta(0), notify=("on_duty",)),) for p in Priority}
    )


class Config(_Model):
    """The whole YAML configuration, validated and cross-checked."""

    workspace: str = "Support"
    regions: dict[str, Region]
    people: tuple[PersonConfig, ...] = ()
    categories: tuple[str, ...] = (
        "returns",
        "refunds",
        "delivery",
        "payments",
        "complaints",
        "data",
        "other",
    )
    targets: dict[Priority, Targets] = {
        Priority.LOW: Targets(claim=timedelta(hours=4), resolve=timedelta(days=5)),
        Priority.NORMAL: Targets(claim=timedelta(hours=1), resolve=timedelta(days=2)),
        Priority.HIGH: Targets(claim=timedelta(minutes=15), resolve=timedelta(hours=8)),
        Priority.URGENT: Targets(claim=timedelta(minutes=5), resolve=timedelta(hours=2)),
    }
    escalation: EscalationPolicy = Field(default_factory=_default_policy)
    reopen_window: Duration = timedelta(days=7)
    default_region: str | None = None

    def person(self, person_id: str) -> PersonConfig | None:
        return next((p for p in self.people if p.id == person_id), None)

    def home_zone(self, regions: tuple[str, ...] = ()) -> str:
        """The zone of the first of `regions` that exists, else of the default region, else UTC."""
        for code in (*regions, self.default_region or ""):
            if code in self.regions:
                return self.regions[code].timezone
        return "UTC"

    def people_by_id(self) -> dict[PersonId, Person]:
        """Every configured person, with their zone: configured, else their first region's."""
        return {
            PersonId(p.id): p.to_person(default_zone=p.timezone or self.home_zone(p.regions))
            for p in self.people
        }


def _names(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list | tuple) else []


def _cross_problems(raw: Mapping[str, Any]) -> list[ConfigProblem]:
    """References between sections (people, regions, rotas), checked on the raw data so that they are
    reported together with any field errors, whatever the shape of the rest."""
    raw_regions = raw.get("regions")
    regions: Mapping[str, Any] = raw_regions if isinstance(raw_regions, Mapping) else {}
    people = (
        [p for p in raw.get("people") or [] if isinstance(p, Mapping)]
        if isinstance(raw.get("people"), list)
        else []
    )
    problems: list[ConfigProblem] = []
    seen: set[str] = set()
    accounts: dict[tuple[str, str], str] = {}
    for i, person in enumerate(people):
        person_id = str(person.get("id"))
        if person_id in seen:
            problems.append(ConfigProblem(f"people.{i}.id", f"duplicate person {person_id!r}"))
        seen.add(person_id)
        for region in _names(person.get("regions")):
            if region not in regions:
                problems.append(ConfigProblem(f"people.{i}.regions", f"unknown region {region!r}"))
        for platform in ("slack", "teams"):
            account = person.get(platform)
            if account and (platform, str(account)) in accounts:
                owner = accounts[(platform, str(account))]
                problems.append(ConfigProblem(f"people.{i}.{platform}", f"{account!r} is also {owner!r}"))
            elif account:
                accounts[(platform, str(account))] = person_id
    for code, region in regions.items():
        if not isinstance(region, Mapping):
            continue
        for key in ("backup", "supervisors"):
            problems += [
                ConfigProblem(f"regions.{code}.{key}", f"unknown person {n!r}")
                for n in _names(region.get(key))
                if n not in seen
            ]
        raw_layers = region.get("layers")
        layers: list[Any] = raw_layers if isinstance(raw_layers, list) else []
        for j, layer in enumerate(layers):
            if isinstance(layer, Mapping):
                problems += [
                    ConfigProblem(f"regions.{code}.layers.{j}.people", f"unknown person {n!r}")
                    for n in _names(layer.get("people"))
                    if n not in seen
                ]
    escalation = raw.get("escalation")
    if isinstance(escalation, Mapping) and isinstance(escalation.get("regions"), Mapping):
        problems += [
            ConfigProblem(f"escalation.regions.{code}", f"unknown region {code!r}")
            for code in escalation["regions"]
            if code not in regions
        ]
    default = raw.get("default_region")
    if default is not None and default not in regions:
        problems.append(ConfigProblem("default_region", f"unknown region {default!r}"))
    return problems


def _problems_from(error: ValidationError) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(top level)"
        message = str(item["msg"]).removeprefix("Value error, ")
        if "\n" in message or (": " in message and where == "(top level)"):
            for line in message.splitlines():
                key, _, reason = line.partition(": ")
                problems.append(ConfigProblem(key, reason))
        else:
            problems.append(ConfigProblem(where, message))
    return problems


def parse_config(raw: Any, *, source: str = "config") -> Config:
    """Validate already-parsed YAML; raise ConfigError with every problem and its key path."""
    if not isinstance(raw, Mapping):
        raise ConfigError(
            [ConfigProblem(source, "the configuration must be a mapping with a `regions:` key")]
        )
    problems = _cross_problems(raw)
    try:
        config = Config.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(_problems_from(error) + problems) from None
    if problems:
        raise ConfigError(problems)
    return config


def load_config(path: Path) -> Config:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError([ConfigProblem(str(path), f"cannot read: {error.strerror}")]) from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(
            [ConfigProblem(where, f"not valid YAML ({getattr(error, 'problem', error)})")]
        ) from None
    return parse_config(raw, source=str(path))


# Bot Framework app types (botbuilder's APP_TYPE): how the bot's Entra app authenticates.
APP_TYPES = ("SingleTenant", "MultiTenant", "UserAssignedMSI")


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the process reads from its environment (DESIGN.md section 3)."""

    database_url: str = DEFAULT_DATABASE_URL
    config_path: Path = BUNDLED_CONFIG
    kb_path: Path = Path("knowledge_base")
    host: str = "127.0.0.1"
    port: int = 3978
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_api_url: str = "https://slack.com/api/"
    microsoft_app_id: str | None = None
    microsoft_app_password: str | None = field(default=None, repr=False)
    microsoft_app_tenant_id: str | None = None
    microsoft_app_type: str = "MultiTenant"
    playground: bool | None = None
    public_url: str | None = None
    lease: timedelta | None = None  # SUPPORTBOT_LEASE_SECONDS: how soon a dead process's work is taken over
    allow_empty_kb: bool = False  # SUPPORTBOT_ALLOW_EMPTY_KB: serve even when KB_PATH has no articles

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        def get(name: str) -> str | None:
            value = environ.get(name, "").strip()
            return value or None

        port_text = get("PORT") or "3978"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ConfigError([ConfigProblem("PORT", f"not a TCP port: {port_text!r}")])
        playground = get("SUPPORTBOT_PLAYGROUND")
        tenant = get("MICROSOFT_APP_TENANT_ID")
        # Azure creates single-tenant bot registrations only (multi-tenant ones are refused since July
        # 2025): a tenant id means SingleTenant unless MICROSOFT_APP_TYPE says otherwise.
        app_type = get("MICROSOFT_APP_TYPE") or ("SingleTenant" if tenant else "MultiTenant")
        if app_type not in APP_TYPES:
            raise ConfigError(
                [ConfigProblem("MICROSOFT_APP_TYPE", f"{app_type!r} is not one of {', '.join(APP_TYPES)}")]
            )
        if app_type == "SingleTenant" and get("MICROSOFT_APP_ID") and not tenant:
            raise ConfigError(
                [
                    ConfigProblem(
                        "MICROSOFT_APP_TENANT_ID",
                        "a SingleTenant bot needs the tenant id of its registration",
                    )
                ]
            )
        return cls(
            database_url=get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            config_path=Path(get("SUPPORTBOT_CONFIG") or BUNDLED_CONFIG),
            kb_path=Path(get("KB_PATH") or "knowledge_base"),
            host=get("HOST") or "127.0.0.1",
            port=int(port_text),
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_app_token=get("SLACK_APP_TOKEN"),
            slack_api_url=get("SLACK_API_URL") or "https://slack.com/api/",
            microsoft_app_id=get("MICROSOFT_APP_ID"),
            microsoft_app_password=get("MICROSOFT_APP_PASSWORD"),
            microsoft_app_tenant_id=tenant,
            microsoft_app_type=app_type,
            playground=None if playground is None else playground.lower() in ("1", "true", "yes", "on"),
            public_url=get("PUBLIC_URL"),
            lease=_seconds("SUPPORTBOT_LEASE_SECONDS", get("SUPPORTBOT_LEASE_SECONDS")),
            allow_empty_kb=(get("SUPPORTBOT_ALLOW_EMPTY_KB") or "").lower() in ("1", "true", "yes", "on"),
        )

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token and (self.slack_signing_secret or self.slack_app_token))

    @property
    def teams_authenticated(self) -> bool:
        return bool(self.microsoft_app_id and self.microsoft_app_password)

    @property
    def playground_enabled(self) -> bool:
        """On by default only with no platform credentials at all, so `make run` shows a working bot
        and a real deployment never exposes it by accident."""
        if self.playground is not None:
            return self.playground
        return not self.slack_enabled and not self.teams_authenticated


def _seconds(name: str, text: str | None) -> timedelta | None:
    if text is None:
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 3600:
        raise ConfigError([ConfigProblem(name, f"not a number of seconds between 0 and 3600: {text!r}")])
    return timedelta(seconds=seconds)


def settings_from_process() -> Settings:
    """Settings of this process: the composition root calls this once."""
    import os

    return Settings.from_env(os.environ)
