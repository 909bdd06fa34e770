"""Never silent: the marts users read are checked against the calendar on a schedule of their own, and a run
that fails tells an operator (etl/notify.py: e-mail by SMTP, a webhook).

- `marts_fresh` (job `freshness_job`, schedule `freshness_watch` at 18:00 Shanghai, Monday to Friday): the last
  session each per-session mart holds against the last session due by now (closed, and the daily run's
  16:30 tick an hour and a half behind it; a provisional day the data showed closed is no session). A stale
  mart fails the check and its run, so that a schedule gone quiet, a daily run that never started or a
  publish that stopped is a failure too, not an absence.
- `notify_on_run_failure` (a run-failure sensor): every failed run of this code location, the freshness
  job's included, as a notice on every configured channel.

Both start stopped, like the schedules: switch them on with the live source (docs/operations.md).
"""

import datetime as dt

import dagster as dg

from assets.lineage import key
from assets.publish import SESSION_MARTS
from assets.resources import WarehouseResource
from etl.notify import Notice, send

DUE_AFTER_CLOSE = dt.timedelta(hours=2, minutes=30)  # 15:00 close, 16:30 tick, an hour for the run


def due_session(now: dt.datetime, closed_by_data: set[dt.date]) -> dt.date:
    """The last session whose daily run should have published by `now` (Shanghai)."""
    from assets.partitions import last_closed_session
    from etl.market import previous_trading_day

    day = last_closed_session(now - DUE_AFTER_CLOSE)
    while day in closed_by_data:
        day = previous_trading_day(day)
    return day


@dg.multi_asset_check(
    specs=[
        dg.AssetCheckSpec("fresh", asset=key("marts", mart), description="the last session due is published")
        for mart in SESSION_MARTS
    ],
    can_subset=True,
)
def marts_fresh(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
    from etl.market import shanghai_now

    wh = warehouse.get()
    closed = set(wh.query("SELECT DISTINCT trade_date FROM quality.calendar_days WHERE state = 'closed'")["trade_date"])
    due = due_session(shanghai_now(), closed)
    stale = []
    for check_key in context.selected_asset_check_keys:
        mart = check_key.asset_key.path[-1]
        last = wh.query(f"SELECT max(trade_date) AS d FROM marts.{mart}")["d"][0]
        fresh = last is not None and last >= due
        if not fresh:
            stale.append(f"marts.{mart} ends {last or 'empty'}")
        yield dg.AssetCheckResult(
            check_name="fresh",
            asset_key=check_key.asset_key,
            passed=fresh,
            severity=dg.AssetCheckSeverity.ERROR,
            description=None if fresh else f"marts.{mart} ends {last or 'empty'}; {due} is due",
            metadata={"last_session": str(last), "due_session": str(due)},
        )
    if stale:
        raise dg.Failure(description=f"stale marts: {'; '.join(stale)}; the session due is {due}", allow_retries=False)


freshness_job = dg.define_asset_job(
    "freshness_job",
    selection=dg.AssetSelection.checks(marts_fresh),
    description="Are the marts users read up to the session due? (assets/watch.py)",
)


@dg.schedule(
    job=freshness_job,
    cron_schedule="0 18 * * 1-5",
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.STOPPED,
)
def freshness_watch(context: dg.ScheduleEvaluationContext):
    """18:00 on weekdays: the marts against the calendar (closed days included: the due session is then the
    last one before)."""
    return dg.RunRequest(run_key=f"fresh-{context.scheduled_execution_time:%Y-%m-%d}")


def failure_notice(run: dg.DagsterRun, message: str) -> Notice:
    window = {k: v for k, v in run.tags.items() if k.startswith(("ashare/", "dagster/partition"))}
    return Notice(
        subject=f"[ashare] run failed: {run.job_name} {run.run_id[:8]}",
        body=message,
        details={"run_id": run.run_id, "job": run.job_name, **window},
    )


@dg.run_failure_sensor(
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="Every failed run, as a notice on the configured channels (e-mail, webhook: etl/notify.py).",
)
def notify_on_run_failure(context: dg.RunFailureSensorContext):
    outcome = send(failure_notice(context.dagster_run, context.failure_event.message or "failed"))
    context.log.info(f"run {context.dagster_run.run_id} failed; notices: {outcome}")
