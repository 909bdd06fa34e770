"""Never silent (assets/watch.py, etl/notify.py): a failed run is a notice by e-mail (a real SMTP server on
127.0.0.1, aiosmtpd) and by webhook (an HTTP receiver on 127.0.0.1); the marts users read are checked against
the session due by the calendar, so a schedule gone quiet is a failure too."""

import datetime as dt
import http.server
import json
import threading

import dagster as dg
import pytest

from etl import market, notify
from etl.env import SettingError
from etl.local_server import free_port
from etl.market import SHANGHAI
from tests.conftest import d


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1; yields (port, the messages it received)."""
    from aiosmtpd.controller import Controller

    received = []

    class Keep:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            received.append(envelope)
            return "250 OK"

    port = free_port()
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


@pytest.fixture
def webhook_server():
    """An HTTP receiver on 127.0.0.1; yields (url, the JSON bodies it received)."""
    received = []

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook", received
    finally:
        server.shutdown()


@pytest.fixture
def channels(monkeypatch, smtp_server, webhook_server):
    port, mails = smtp_server
    url, posts = webhook_server
    monkeypatch.setenv("ASHARE_NOTIFY_SMTP", f"127.0.0.1:{port}")
    monkeypatch.setenv("ASHARE_NOTIFY_EMAIL_TO", "ops@example.org, oncall@example.org")
    monkeypatch.setenv("ASHARE_NOTIFY_WEBHOOK", url)
    return mails, posts


def test_a_notice_goes_out_by_email_and_by_webhook(channels):
    mails, posts = channels
    outcome = notify.send(notify.Notice("[ashare] test", "the body", {"run_id": "r1"}))
    assert set(outcome.values()) == {"sent"} and len(outcome) == 2
    assert mails[0].rcpt_tos == ["ops@example.org", "oncall@example.org"]
    assert b"Subject: [ashare] test" in mails[0].content and b"run_id: r1" in mails[0].content
    assert posts == [{"text": "[ashare] test\nthe body", "subject": "[ashare] test", "run_id": "r1"}]


def test_a_channel_that_fails_does_not_keep_the_other_from_sending(monkeypatch, webhook_server):
    url, posts = webhook_server
    monkeypatch.setenv("ASHARE_NOTIFY_SMTP", f"127.0.0.1:{free_port()}")  # nobody listens there
    monkeypatch.setenv("ASHARE_NOTIFY_EMAIL_TO", "ops@example.org")
    monkeypatch.setenv("ASHARE_NOTIFY_WEBHOOK", url)
    outcome = notify.send(notify.Notice("s", "b"))
    assert outcome["webhook"] == "sent" and next(v for k, v in outcome.items() if k.startswith("smtp")).startswith(
        "failed"
    )
    assert len(posts) == 1


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ASHARE_NOTIFY_SMTP", "mail.example.org", "expected host:port"),
        ("ASHARE_NOTIFY_SMTP", "mail.example.org:99999", "expected host:port"),
        ("ASHARE_NOTIFY_EMAIL_TO", "not an address", "expected one or more e-mail addresses"),
        ("ASHARE_NOTIFY_WEBHOOK", "file:///etc/passwd", "expected an http:// or https:// URL"),
    ],
)
def test_notification_settings_are_checked_where_they_are_read(monkeypatch, name, value, message):
    monkeypatch.setenv("ASHARE_NOTIFY_SMTP", "127.0.0.1:25")
    monkeypatch.setenv("ASHARE_NOTIFY_EMAIL_TO", "ops@example.org")
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingError, match=f"{name}=.*{message}"):
        notify.channels()


def test_no_channel_is_said_not_silently_skipped(monkeypatch):
    for name in ("ASHARE_NOTIFY_SMTP", "ASHARE_NOTIFY_WEBHOOK"):
        monkeypatch.delenv(name, raising=False)
    assert notify.send(notify.Notice("s", "b")) == {
        "none": "no channel configured (ASHARE_NOTIFY_SMTP, ASHARE_NOTIFY_WEBHOOK)"
    }


def test_a_failed_run_is_a_notice_on_every_channel(channels):
    from assets.watch import notify_on_run_failure

    mails, posts = channels

    @dg.op
    def breaks():
        raise RuntimeError("akshare blocked us")

    @dg.job(tags={"ashare/first_session": "2025-02-05"})
    def daily_like():
        breaks()

    instance = dg.DagsterInstance.ephemeral()
    result = daily_like.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
    context = dg.build_run_status_sensor_context(
        sensor_name="notify_on_run_failure",
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=failure,
    ).for_run_failure()
    notify_on_run_failure(context)
    assert len(mails) == 1 and len(posts) == 1
    assert posts[0]["job"] == "daily_like" and posts[0]["ashare/first_session"] == "2025-02-05"
    assert posts[0]["subject"].startswith("[ashare] run failed: daily_like")


@pytest.mark.parametrize(
    ("now", "closed", "due"),
    [
        ("2025-02-05 17:00", set(), "2025-01-27"),  # the day's run may still be going
        ("2025-02-05 17:31", set(), "2025-02-05"),
        ("2025-02-08 18:00", set(), "2025-02-07"),  # a Saturday: Friday's session
        ("2027-01-05 18:00", {"2027-01-01", "2027-01-04", "2027-01-05"}, "2026-12-31"),  # provisional, closed by data
    ],
)
def test_the_session_due_follows_the_calendar_and_what_the_data_closed(now, closed, due):
    from assets.watch import due_session

    when = dt.datetime.fromisoformat(now).replace(tzinfo=SHANGHAI)
    assert due_session(when, {d(x) for x in closed}) == d(due)


def freshness(path, monkeypatch, now: str):
    from assets.definitions import all_assets
    from assets.resources import MarketSourceResource, WarehouseResource
    from assets.watch import freshness_job, marts_fresh

    monkeypatch.setattr(market, "shanghai_now", lambda: dt.datetime.fromisoformat(now).replace(tzinfo=SHANGHAI))
    defs = dg.Definitions(
        assets=all_assets,
        asset_checks=[marts_fresh],
        jobs=[freshness_job],
        resources={"warehouse": WarehouseResource(path=str(path)), "market_source": MarketSourceResource()},
    )
    return defs.resolve_job_def("freshness_job").execute_in_process(raise_on_error=False)


def test_marts_behind_the_session_due_fail_the_freshness_run(altered_warehouse, monkeypatch):
    """The warehouse holds 2025-01-22..02-07: fresh on that Friday evening; on the next Monday evening the
    daily run did not come (a schedule gone silent), and the freshness run fails naming the marts."""
    path = altered_warehouse()
    fresh = freshness(path, monkeypatch, "2025-02-07 19:00")
    assert fresh.success
    stale = freshness(path, monkeypatch, "2025-02-10 19:00")
    assert not stale.success
    checks = {e.asset_key.path[-1]: e for e in stale.get_asset_check_evaluations()}
    assert not checks["market_breadth_daily"].passed
    assert checks["market_breadth_daily"].metadata["due_session"].value == "2025-02-10"
    failure = next(e for e in stale.all_events if e.is_step_failure)
    message = str(failure.event_specific_data)
    assert "stale marts: " in message and "marts.index_daily ends 2025-02-07" in message
