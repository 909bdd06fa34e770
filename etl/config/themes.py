"""Themes and events as configuration (etl/config/themes.yaml, events.yaml), validated when loaded.

pydantic (already installed with Dagster) does the validation: a wrong key, type or date names the file and
the field. Board names are checked against the board list by `board_codes` when the marts are built.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path

import polars as pl
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

CONFIG_DIR = Path(__file__).resolve().parent
SYMBOL = re.compile(r"^[0-9]{6}$")


class ConfigError(ValueError):
    """A configuration file that cannot be used, with the file and field named."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NameRule(_Strict):
    label: str
    pattern: str
    within_boards: tuple[str, ...] = ()

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from exc
        return value


class Theme(_Strict):
    label: str
    boards: tuple[str, ...] = ()
    name_rules: tuple[NameRule, ...] = ()
    symbols: tuple[str, ...] = ()
    news_keywords: tuple[str, ...] = ()

    @field_validator("symbols")
    @classmethod
    def _six_digits(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [s for s in value if not SYMBOL.match(s)]
        if bad:
            raise ValueError(f"symbols must be 6-digit codes (quote them in YAML): {bad}")
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> Theme:
        if not (self.boards or self.name_rules or self.symbols or self.news_keywords):
            raise ValueError("a theme needs boards, name_rules, symbols or news_keywords")
        return self

    @property
    def is_basket(self) -> bool:
        """Has stock members (not a news-only theme)."""
        return bool(self.boards or self.name_rules or self.symbols)

    def board_names(self) -> tuple[str, ...]:
        return self.boards + tuple(b for rule in self.name_rules for b in rule.within_boards)


class ThemesConfig(_Strict):
    cumulative_from: dt.date
    themes: dict[str, Theme]

    @model_validator(mode="after")
    def _dividend_and_ai(self) -> ThemesConfig:
        missing = {"dividend", "ai"} - {name for name, t in self.themes.items() if t.is_basket}
        if missing:
            raise ValueError(f"dividend_vs_ai_daily needs basket themes named {sorted(missing)}")
        return self

    def baskets(self) -> dict[str, Theme]:
        return {name: t for name, t in self.themes.items() if t.is_basket}

    def news_keywords(self) -> dict[str, tuple[str, ...]]:
        return {name: t.news_keywords for name, t in self.themes.items() if t.news_keywords}


class Event(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    date: dt.date
    title: str


class Window(_Strict):
    before: int = Field(ge=0, le=60)
    after: int = Field(ge=0, le=120)


class Subjects(_Strict):
    themes: tuple[str, ...] = ()
    boards: tuple[str, ...] = ()
    indices: tuple[str, ...] = ()
    stocks: tuple[str, ...] = ()


class EventsConfig(_Strict):
    benchmark_index: str
    window: Window
    events: tuple[Event, ...]
    subjects: Subjects

    @field_validator("events")
    @classmethod
    def _unique_ids(cls, value: tuple[Event, ...]) -> tuple[Event, ...]:
        ids = [e.id for e in value]
        if len(ids) != len(set(ids)):
            raise ValueError(f"event ids must be unique: {ids}")
        return value


def _load(path: Path, model: type[BaseModel]) -> BaseModel:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = [f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()]
        raise ConfigError(f"{path}: " + "; ".join(lines)) from None


def load_themes(path: Path | None = None) -> ThemesConfig:
    return _load(path or CONFIG_DIR / "themes.yaml", ThemesConfig)


def load_events(path: Path | None = None, themes: ThemesConfig | None = None) -> EventsConfig:
    events = _load(path or CONFIG_DIR / "events.yaml", EventsConfig)
    baskets = (themes or load_themes()).baskets()
    unknown = [t for t in events.subjects.themes if t not in baskets]
    if unknown:
        raise ConfigError(f"{path or CONFIG_DIR / 'events.yaml'}: subjects.themes not in themes.yaml: {unknown}")
    return events


@lru_cache(maxsize=1)
def themes() -> ThemesConfig:
    return load_themes()


@lru_cache(maxsize=1)
def events() -> EventsConfig:
    return load_events()


def board_codes(names: tuple[str, ...], boards: pl.DataFrame, where: str) -> dict[str, str]:
    """Board names -> BK codes through staging.boards; an unknown name is an error naming the config entry and
    the closest names in the list."""
    by_name = dict(zip(boards["board_name"].to_list(), boards["board_code"].to_list(), strict=True))
    unknown = [n for n in names if n not in by_name]
    if unknown:
        hints = {n: sorted(b for b in by_name if n[:2] in b)[:5] for n in unknown}
        raise ConfigError(f"{where}: board names not in the board list: {hints} (name -> similar names)")
    return {n: by_name[n] for n in names}


class Pair(_Strict):
    name: str = Field(pattern=r"^[a-z0-9_]+$")
    a: str = Field(pattern=r"^(index|csi|theme|us):[\w.]+$")
    b: str = Field(pattern=r"^(index|csi|theme|us):[\w.]+$")


class HorizonConfig(_Strict):
    pairs: list[Pair]


@lru_cache(maxsize=1)
def horizon_pairs() -> tuple[Pair, ...]:
    """The pairs of etl/config/horizon.yaml (marts.relative_performance)."""
    return tuple(_load(CONFIG_DIR / "horizon.yaml", HorizonConfig).pairs)
