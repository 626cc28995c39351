"""Signed heads of the audit chain, kept outside the database.

The keyed chain (core.governance.audit) stops a changed or re-chained history,
but not one cut short: deleting the newest events leaves a chain that still
verifies. So each `audit-verify` that finds the chain intact writes its head
(the newest event, its hash, how many events there are), signed with the audit
key, as one line to the anchor file and to its own output, which the operator's
log keeps. A later run checks every anchor it is given: the anchored event must
still be there with the same hash and the same number of events up to it.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.infra import clock
from core.infra.crypto import keyring
from core.model import AuditEvent


class AnchorError(Exception):
    """An anchor line that cannot be read; the message is one line."""


@dataclass(frozen=True)
class Anchor:
    at: str
    event_id: int
    hash: str
    count: int
    mac: str

    def line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


def _message(at: str, event_id: int, event_hash: str, count: int) -> bytes:
    return f"fjc-audit-anchor\x00{at}\x00{event_id}\x00{event_hash}\x00{count}".encode()


def head(session: Session) -> Anchor | None:
    """The signed head of the chain now; None while the trail is empty."""
    newest = session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    if newest is None:
        return None
    count = session.scalar(select(func.count(AuditEvent.id))) or 0
    at = clock.now().isoformat(timespec="seconds")
    mac = keyring().audit_mac(_message(at, newest.id, newest.hash, count))
    return Anchor(at=at, event_id=newest.id, hash=newest.hash, count=count, mac=mac)


def parse(line: str) -> Anchor:
    try:
        fields = json.loads(line)
        return Anchor(
            at=str(fields["at"]),
            event_id=int(fields["event_id"]),
            hash=str(fields["hash"]),
            count=int(fields["count"]),
            mac=str(fields["mac"]),
        )
    except (ValueError, KeyError, TypeError):
        raise AnchorError("an anchor line is not one that audit-verify wrote") from None


def read(path: Path) -> list[Anchor]:
    """The anchors in the file, oldest first; none when the file does not exist yet."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [parse(line) for line in lines if line.strip()]


def append(path: Path, anchor: Anchor) -> None:
    """Add the anchor as one line, on disk before this returns."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(anchor.line() + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def check(session: Session, anchors: list[Anchor]) -> list[str]:
    """What the anchors show was changed; an empty list means every anchor holds."""
    problems: list[str] = []
    ids = {anchor.event_id for anchor in anchors}
    rows = session.execute(select(AuditEvent.id, AuditEvent.hash).where(AuditEvent.id.in_(ids)))
    hashes = {event_id: event_hash for event_id, event_hash in rows}
    for anchor in anchors:
        message = _message(anchor.at, anchor.event_id, anchor.hash, anchor.count)
        if not keyring().audit_mac_matches(message, anchor.mac):
            problems.append(
                f"anchor of {anchor.at}: its signature does not match "
                "(changed, or signed with a key that is no longer in FJC_AUDIT_KEY)"
            )
            continue
        if anchor.event_id not in hashes:
            problems.append(
                f"event {anchor.event_id}, anchored on {anchor.at}, is missing: "
                "the trail was cut short"
            )
        elif hashes[anchor.event_id] != anchor.hash:
            problems.append(
                f"event {anchor.event_id} differs from its anchor of {anchor.at}: "
                "the trail was rewritten"
            )
    if anchors and not problems:
        # The chain's links already show an event removed between two others;
        # the count of the newest anchor is one more, cheap, look.
        newest = anchors[-1]
        count = session.scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.id <= newest.event_id)
        )
        if count != newest.count:
            problems.append(
                f"anchor of {newest.at}: {newest.count} events up to event "
                f"{newest.event_id} then, {count} now: events were removed"
            )
    return problems
