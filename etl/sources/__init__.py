"""Market-data sources. Both fill a landing zone; everything downstream reads only the landing zone."""

from __future__ import annotations

from typing import Any

from etl.settings import Settings
from etl.sources.base import LandedPartition, Request, Source, SourceError


def make_source(settings: Settings, symbols: list[str] | None = None, api: Any = None) -> Source:
    """`api`: what the live source calls akshare's functions on (None: the installed akshare, lazily)."""
    from etl.landing import LandingZone

    if settings.source == "akshare":
        from etl.sources.live import AkshareSource

        return AkshareSource(LandingZone(settings.live_landing), api=api, symbols=symbols)
    from etl.sources.recorded import RecordedSource

    return RecordedSource(LandingZone(settings.sample_landing))


__all__ = ["LandedPartition", "Request", "Source", "SourceError", "make_source"]
