"""List the mail captured by the local SMTP server, oldest first.

    python deploy/local/maillist.py MAILDIR

One line per message: date, from, to, subject, and the file under MAILDIR that
holds it (open it to read the body).
"""

from __future__ import annotations

import email.utils
import sys
from datetime import datetime, timezone
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesHeaderParser
from pathlib import Path


def header(message: Message, name: str) -> str:
    """A header decoded from RFC 2047 words (French subjects arrive encoded)."""
    raw = message.get(name)
    return str(make_header(decode_header(raw))) if raw else ""


def sent_at(message: Message, path: Path) -> datetime:
    try:
        when = email.utils.parsedate_to_datetime(message["Date"])
    except (TypeError, ValueError):
        # No or malformed Date header: fall back to when the server stored it.
        return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def main(maildir: Path) -> None:
    parser = BytesHeaderParser()
    rows = []
    # A Maildir keeps unread mail in new/ and read mail in cur/; tmp/ holds partial writes.
    for path in [*maildir.glob("new/*"), *maildir.glob("cur/*")]:
        with path.open("rb") as raw:
            message = parser.parse(raw)
        rows.append((sent_at(message, path), path.relative_to(maildir), message))
    if not rows:
        print(f"no mail in {maildir}")
        return
    rows.sort(key=lambda row: (row[0], str(row[1])))
    print(f"{'date':<25}  {'from':<28}  {'to':<28}  {'subject':<40}  file")
    for when, relative, message in rows:
        print(
            f"{when.isoformat(timespec='seconds'):<25}  {header(message, 'From'):<28}  "
            f"{header(message, 'To'):<28}  {header(message, 'Subject'):<40}  {relative}"
        )
    print(f"{len(rows)} message(s) in {maildir}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} MAILDIR")
    main(Path(sys.argv[1]))
