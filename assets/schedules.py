"""Jobs and schedules on the SSE calendar (Asia/Shanghai). Every schedule starts stopped: switch them on in
the UI (Automation) or with `dg launch`/`dagster schedule start` once the live source is configured.

- `daily_after_close`  16:30 on trading days: the session's month partition with the session as the run's
  window (the month's other sessions are not fetched or judged again), raw -> staging -> marts -> report ->
  published BI file. Holidays fall on weekdays (Spring Festival), so the cron's Mon-Fri is not enough: the
  tick checks the calendar and skips a closed day with the reason.
- `snapshots_after_close`  15:35 on trading days: what akshare only serves as of now (board lists and
  membership, fund-flow rankings), captured once the session has closed.
- `news_polls`  every day at 08:00, 12:00 and 21:00: the flash feed keeps a few hundred items only, and
  news during a holiday (DeepSeek over the 2025 Spring Festival) is what moves the first session after it.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg

from assets import watch
from assets.lineage import key
from assets.partitions import month_of, session_window, trading_months
from etl.market import CLOSED, TIMEZONE, UNKNOWN, day_state

STOPPED = dg.DefaultScheduleStatus.STOPPED

SNAPSHOT_CAPTURES = dg.AssetSelection.assets(
    key("raw", "board_list"),
    key("raw", "board_membership_snapshot"),
    key("raw", "stock_fund_flow_rank"),
    key("raw", "sector_fund_flow_rank"),
)
SNAPSHOT_TABLES = dg.AssetSelection.assets(
    key("staging", "boards"),
    key("staging", "board_membership"),
    key("staging", "board_snapshots"),
    key("staging", "stock_fund_flow_rank"),
    key("staging", "sector_fund_flow_rank"),
    key("marts", "fund_flow_board_daily"),
)
NEWS_FEED = dg.AssetSelection.assets(
    key("raw", "news_feed"),
    key("staging", "news_items"),
    *(key("staging", name) for name in ("news_item_themes", "news_item_stocks", "news_captures")),
)

# The freshness check (assets/watch.py) judges the marts against today's calendar: its own job runs it, never a
# build (a backfill of 2025 is not stale, it is history)
BUILT = dg.AssetSelection.all() - dg.AssetSelection.checks(watch.marts_fresh)

warehouse_job = dg.define_asset_job(
    "warehouse_job",
    selection=BUILT,
    partitions_def=trading_months,
    description="Every asset, raw -> staging -> marts, over one month of sessions or a range (single run).",
)
# What changes only when a snapshot or the news feed is captured is staged by the job that captures it: the
# daily run reads those tables as the last capture left them instead of restaging an unchanged capture.
daily_job = dg.define_asset_job(
    "daily_job",
    selection=BUILT - SNAPSHOT_CAPTURES - SNAPSHOT_TABLES - NEWS_FEED,
    partitions_def=trading_months,
    description="One session after the close (its month, the session as the run's window): the session's "
    "prices, flows and histories, raw -> staging -> marts -> report -> published BI file. The snapshots and the "
    "news feed are captured and staged by their own schedules; this run reads them from the warehouse.",
)
snapshot_job = dg.define_asset_job(
    "snapshot_job",
    selection=SNAPSHOT_CAPTURES | SNAPSHOT_TABLES,
    description="Capture board lists, board membership and fund-flow rankings as of now, and stage them.",
)
news_job = dg.define_asset_job(
    "news_job", selection=NEWS_FEED, description="Poll the flash news feed and re-stage the news items."
)


def session_of_tick(context: dg.ScheduleEvaluationContext) -> dt.date:
    return context.scheduled_execution_time.astimezone(ZoneInfo(TIMEZONE)).date()


@dg.schedule(job=daily_job, cron_schedule="30 16 * * 1-5", execution_timezone=TIMEZONE, default_status=STOPPED)
def daily_after_close(context: dg.ScheduleEvaluationContext):
    """The day's month partition at 16:30 on SSE trading days, the session as the run's window; a closed
    weekday is skipped with the reason. A weekday past the published calendar is not skipped as closed: it
    runs as a provisional session (tag ashare/provisional), and what the sources return decides it."""
    day = session_of_tick(context)
    state = day_state(day)
    if state == CLOSED:
        return dg.SkipReason(f"{day} is not an SSE trading day")
    return dg.RunRequest(
        run_key=f"session-{day}", partition_key=month_of(day), tags={**session_window(day, day), **provisional(state)}
    )


PROVISIONAL_TAG = "ashare/provisional"


def provisional(state: str) -> dict[str, str]:
    """The tag of a run over a day the calendar does not cover yet."""
    return {PROVISIONAL_TAG: "true"} if state == UNKNOWN else {}


@dg.schedule(job=snapshot_job, cron_schedule="35 15 * * 1-5", execution_timezone=TIMEZONE, default_status=STOPPED)
def snapshots_after_close(context: dg.ScheduleEvaluationContext):
    """Board lists, membership and fund-flow rankings as of 15:35, after the close, on SSE trading days."""
    day = session_of_tick(context)
    state = day_state(day)
    if state == CLOSED:
        return dg.SkipReason(f"{day} is not an SSE trading day")
    return dg.RunRequest(run_key=f"snapshot-{day}", tags={"ashare/session": day.isoformat(), **provisional(state)})


@dg.schedule(job=news_job, cron_schedule="0 8,12,21 * * *", execution_timezone=TIMEZONE, default_status=STOPPED)
def news_polls(context: dg.ScheduleEvaluationContext):
    """The flash feed, three times a day, closed days included."""
    at = context.scheduled_execution_time.astimezone(ZoneInfo(TIMEZONE))
    return dg.RunRequest(run_key=f"news-{at:%Y-%m-%dT%H%M}")


SCHEDULES = [daily_after_close, snapshots_after_close, news_polls]
JOBS = [warehouse_job, daily_job, snapshot_job, news_job]
