"""The embedded default: replay the shipped sample, which is laid out as a landing zone. One generic
replay per dataset's rule (etl/datasets/record.py Replay)."""

from __future__ import annotations

import datetime as dt

from etl.datasets import Dataset, Replay
from etl.sources.base import DEFAULT_REQUEST, LandedPartition, Request, Source, SourceError


class RecordedSource(Source):
    name = "recorded"

    def coverage(self, dataset: Dataset) -> tuple[dt.date, dt.date] | None:
        """What the landing zone holds, first to last partition (a gap inside is an error when asked)."""
        held = self.landing.partitions(dataset.name)
        if dataset.replay is Replay.NONE or not held:
            return None
        return dt.date.fromisoformat(held[0][:10]), dt.date.fromisoformat(held[-1][:10])

    def land(self, dataset: Dataset, request: Request = DEFAULT_REQUEST) -> list[LandedPartition]:
        held = self.landing.partitions(dataset.name)
        have = set(held)
        rule = dataset.replay
        if rule is Replay.NONE:
            return []  # dataset.note says why
        if rule is Replay.ALL:
            return self.landed_all(dataset)
        if rule is Replay.LATEST:
            if not held:
                raise SourceError(f"the recorded sample has no {dataset.name} snapshot")
            return [self.landed(dataset, held[-1])]
        if rule is Replay.SNAPSHOTS and request.snapshot is None:
            return self.landed_all(dataset)
        wanted = [request.snapshot] if rule is Replay.SNAPSHOTS else list(request.days)
        keys = [d.isoformat() for d in wanted]
        if rule is Replay.DAYS:
            missing = [k for k in keys if k not in have]
            if missing:
                span = f"{held[0]} .. {held[-1]}" if held else "nothing"
                raise SourceError(
                    f"the recorded sample has no {dataset.name} for {', '.join(missing[:5])}"
                    f"{' …' if len(missing) > 5 else ''} (it covers {span}); use ASHARE_SOURCE=akshare for other dates"
                )
        manifest = self.landing.manifest()
        return [self.landed(dataset, k, manifest) for k in keys if k in have]
