"""Notices to an operator: a run that failed, marts gone stale. Never silent, never a crash of its own.

Channels are settings, each validated where it is read, and any number may be on at once:

- `ASHARE_NOTIFY_SMTP` (`host:port`) with `ASHARE_NOTIFY_EMAIL_TO` (comma-separated addresses) and optionally
  `ASHARE_NOTIFY_EMAIL_FROM`, `ASHARE_NOTIFY_SMTP_USER` / `_PASSWORD` (then STARTTLS is required): an e-mail
  through the standard library's smtplib;
- `ASHARE_NOTIFY_WEBHOOK` (an http or https URL): the notice as JSON in a POST (Slack, Teams, Mattermost and
  most chat tools take an incoming webhook; `text` carries the message).

No channel configured: `send` says so and returns, and the UI's run list still shows the failure.
"""

from __future__ import annotations

import json
import os
import re
import smtplib
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage

from etl.env import SettingError, text

ADDRESS = re.compile(r"^[^@\s,]+@[^@\s,]+$")
TIMEOUT_S = 10.0  # a channel that does not answer must not hold the sensor up


@dataclass(frozen=True)
class Notice:
    subject: str
    body: str
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    to: tuple[str, ...]
    sender: str
    user: str | None = None
    password: str | None = None

    def send(self, notice: Notice) -> None:
        message = EmailMessage()
        message["Subject"], message["From"], message["To"] = notice.subject, self.sender, ", ".join(self.to)
        message.set_content(notice.body + "".join(f"\n{k}: {v}" for k, v in notice.details.items()))
        with smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_S) as smtp:
            if self.user:
                smtp.starttls()
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)


@dataclass(frozen=True)
class Webhook:
    url: str

    def send(self, notice: Notice) -> None:
        payload = {"text": f"{notice.subject}\n{notice.body}", "subject": notice.subject, **notice.details}
        request = urllib.request.Request(
            self.url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
        )
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:  # noqa: S310 - the scheme is checked
            if answer.status >= 300:
                raise OSError(f"webhook answered HTTP {answer.status}")


def channels() -> list[Smtp | Webhook]:
    """The configured channels, each setting checked (name, value, what is allowed)."""
    out: list[Smtp | Webhook] = []
    smtp = text("ASHARE_NOTIFY_SMTP")
    if smtp is not None:
        host, _, port = smtp.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise SettingError(f"ASHARE_NOTIFY_SMTP={smtp!r}: expected host:port (port 1-65535)")
        to = tuple(a.strip() for a in (text("ASHARE_NOTIFY_EMAIL_TO") or "").split(",") if a.strip())
        if not to or not all(ADDRESS.match(a) for a in to):
            raise SettingError(
                f"ASHARE_NOTIFY_EMAIL_TO={os.environ.get('ASHARE_NOTIFY_EMAIL_TO', '')!r}: expected one or more "
                "e-mail addresses, comma-separated (ASHARE_NOTIFY_SMTP is set)"
            )
        sender = text("ASHARE_NOTIFY_EMAIL_FROM", "ashare-warehouse@localhost")
        if not ADDRESS.match(sender):
            raise SettingError(f"ASHARE_NOTIFY_EMAIL_FROM={sender!r}: expected an e-mail address")
        user = text("ASHARE_NOTIFY_SMTP_USER")
        out.append(Smtp(host, int(port), to, sender, user, text("ASHARE_NOTIFY_SMTP_PASSWORD")))
    hook = text("ASHARE_NOTIFY_WEBHOOK")
    if hook is not None:
        if not re.match(r"^https?://[^\s/]+", hook):
            raise SettingError(f"ASHARE_NOTIFY_WEBHOOK={hook!r}: expected an http:// or https:// URL")
        out.append(Webhook(hook))
    return out


def send(notice: Notice) -> dict[str, str]:
    """The notice through every configured channel; per channel, `sent` or why not (one failing channel does
    not keep the others from being tried)."""
    outcome: dict[str, str] = {}
    found = channels()
    if not found:
        return {"none": "no channel configured (ASHARE_NOTIFY_SMTP, ASHARE_NOTIFY_WEBHOOK)"}
    for channel in found:
        name = f"smtp {channel.host}:{channel.port}" if isinstance(channel, Smtp) else "webhook"
        try:
            channel.send(notice)
            outcome[name] = "sent"
        except (OSError, smtplib.SMTPException) as exc:
            outcome[name] = f"failed: {exc}"
    return outcome
