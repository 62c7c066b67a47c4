"""Calendar events (iCalendar, RFC 5545) and mail drafts (``mailto:``, RFC 6068) as text:
what a reminder needs without a server or a mail account."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

PRODUCT_ID = "-//KPI Desk//KPI Desk//EN"


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """An all-day event on ``day``."""

    uid: str
    day: date
    summary: str
    description: str = ""


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> list[str]:
    """A content line folded at 75 octets, never inside a UTF-8 character."""
    parts: list[str] = []
    current = ""
    limit = 75
    for char in line:
        if len((current + char).encode("utf-8")) > limit:
            parts.append(current)
            current = " "
            limit = 75
        current += char
    parts.append(current)
    return parts


def ics_text(events: Iterable[CalendarEvent], *, stamp: datetime | None = None) -> str:
    """An iCalendar file holding ``events`` (CRLF line ends, as the standard asks)."""
    now = (stamp or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODUCT_ID}", "CALSCALE:GREGORIAN"]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{now}",
            f"DTSTART;VALUE=DATE:{event.day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{event.day + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(event.summary)}",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{_escape(event.description)}")
        lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in _fold(line))


def mailto_url(to: str, subject: str, body: str) -> str:
    """A ``mailto:`` URL (address, subject and body percent-encoded, line ends as CRLF)."""
    body = body.replace("\r\n", "\n").replace("\n", "\r\n")
    address = quote(to, safe="@") if to else ""
    return f"mailto:{address}?subject={quote(subject, safe='')}&body={quote(body, safe='')}"
