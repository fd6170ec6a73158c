"""`audit verify`: every chain walked in one ordered streaming read, in bounded memory.

Events are read ordered by (application, seq) beside the application rows, review assignments and
members, each ordered by application: a merge of four streams, so memory holds one chain at a time and
the database answers four queries in all (not two per application). For each chain: every event's hash
over its canonical JSON, the link to the previous one, no gap; then the row against the last event
(state, data hash, row version, head, rule version) and the review and member rows against what the
events recorded. The staff chain (role grants) is walked and replayed against `user_roles` likewise.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import and_, func, select

from workflow.audit.faults import ChainFault
from workflow.audit.staff import staff_hash
from workflow.engine.history import HASHED_FIELDS, canonical, data_hash
from workflow.models import (
    Application,
    ApplicationMember,
    HistoryEvent,
    ReviewAssignment,
    ReviewRound,
    StaffEvent,
    User,
    UserRole,
)

E = HistoryEvent.__table__.c
EVENT_COLUMNS = [getattr(E, name) for name in HASHED_FIELDS] + [E.row_version, E.detail, E.hash]
SEQ, PREV, AT = HASHED_FIELDS.index("seq"), HASHED_FIELDS.index("prev_hash"), HASHED_FIELDS.index("at")
TO_STATE, DATA_HASH = HASHED_FIELDS.index("to_state"), HASHED_FIELDS.index("data_hash")
KEY, VERSION, SHA = (HASHED_FIELDS.index(n) for n in ("program_key", "program_version", "definition_sha"))
N = len(HASHED_FIELDS)
ROW_VERSION, DETAIL, HASH = N, N + 1, N + 2
A = Application.__table__.c
APPLICATION_COLUMNS = (
    A.id,
    A.state,
    A.data,
    A.event_data,
    A.row_version,
    A.history_seq,
    A.history_head,
    A.program_key,
    A.program_version,
    A.definition_sha,
)
REVIEW_COLUMNS = (
    ReviewAssignment.application_id,
    ReviewAssignment.reviewer_id,
    ReviewAssignment.coi,
    ReviewAssignment.coi_reason,
    ReviewAssignment.scores,
    ReviewAssignment.total,
    ReviewAssignment.comment,
    ReviewAssignment.round,
    ReviewAssignment.kind,
)
MEMBER_COLUMNS = (ApplicationMember.application_id, ApplicationMember.user_id, ApplicationMember.relation)
BATCH = 2000
PROGRESS_EVERY = 5000


@dataclass
class Scope:
    """Which chains to walk: all, one program's, or those with an event since a moment; an id range."""

    program: str | None = None
    since: datetime | None = None
    first_id: int | None = None
    last_id: int | None = None

    @property
    def whole(self) -> bool:
        return self.program is None and self.since is None and self.first_id is None and self.last_id is None

    def ids(self, column):
        """Conditions on an application-id column."""
        conditions = []
        if self.first_id is not None:
            conditions.append(column >= self.first_id)
        if self.last_id is not None:
            conditions.append(column <= self.last_id)
        if self.program is not None:
            conditions.append(column.in_(select(A.id).where(A.program_key == self.program)))
        if self.since is not None:
            conditions.append(column.in_(select(E.application_id).where(E.at >= self.since).distinct()))
        return and_(True, *conditions)


@dataclass
class Report:
    faults: list[ChainFault] = field(default_factory=list)
    chains: int = 0
    events: int = 0

    @property
    def ok(self) -> bool:
        return not self.faults


def count_events(connection, scope: Scope) -> int:
    return connection.execute(
        select(func.count()).select_from(HistoryEvent.__table__).where(scope.ids(E.application_id))
    ).scalar()


class _Streams:
    """Server-side cursors on PostgreSQL (psycopg named cursors), closed together at the end."""

    def __init__(self, connection):
        self.connection = connection
        self.results: list = []

    def __call__(self, statement) -> Iterator:
        # statement options: Connection.execution_options() would change the caller's connection
        result = self.connection.execute(statement.execution_options(stream_results=True, yield_per=BATCH))
        self.results.append(result)
        return iter(result)

    def close(self) -> None:
        for result in self.results:
            result.close()


class _Side:
    """A side stream ordered by application id: take the rows of one id, skipping those before it."""

    def __init__(self, rows: Iterator):
        self.rows = rows
        self.row = next(rows, None)

    def before(self, application_id: float) -> list:
        """The rows of ids below `application_id` (rows no event stream id matched)."""
        skipped = []
        while self.row is not None and self.row[0] < application_id:
            skipped.append(self.row)
            self.row = next(self.rows, None)
        return skipped

    def take(self, application_id: int) -> list:
        taken = []
        while self.row is not None and self.row[0] <= application_id:
            if self.row[0] == application_id:
                taken.append(self.row)
            self.row = next(self.rows, None)
        return taken


def event_digest(row) -> str:
    """sha256 over the canonical JSON of an event row (as `history.event_hash`, from a tuple)."""
    content = dict(zip(HASHED_FIELDS, row, strict=False))
    content["at"] = row[AT].astimezone(UTC).isoformat(timespec="microseconds")
    if row[ROW_VERSION] is not None:
        content["row_version"] = row[ROW_VERSION]
    if row[DETAIL] is not None:
        content["detail"] = row[DETAIL]
    return hashlib.sha256(canonical(content)).hexdigest()


def verify(connection, scope: Scope | None = None, progress: Callable[[int], None] | None = None) -> Report:
    """Walk the chains in `scope` (every chain and the staff chain by default); the first fault of each."""
    scope = scope or Scope()
    streams = _Streams(connection)
    try:
        report = _verify(streams, scope, progress)
    finally:
        streams.close()
    if scope.whole:
        fault = verify_staff(connection)
        if fault is not None:
            report.faults.append(fault)
    return report


def _verify(_stream, scope: Scope, progress) -> Report:
    report = Report()
    events = _stream(
        select(*EVENT_COLUMNS).where(scope.ids(E.application_id)).order_by(E.application_id, E.seq),
    )
    applications = _Side(_stream(select(*APPLICATION_COLUMNS).where(scope.ids(A.id)).order_by(A.id)))
    reviews = _Side(
        _stream(
            select(*REVIEW_COLUMNS)
            .where(scope.ids(ReviewAssignment.application_id))
            .order_by(ReviewAssignment.application_id, ReviewAssignment.reviewer_id),
        )
    )
    members = _Side(
        _stream(
            select(*MEMBER_COLUMNS)
            .where(scope.ids(ApplicationMember.application_id))
            .order_by(ApplicationMember.application_id, ApplicationMember.user_id),
        )
    )
    rounds = _Side(
        _stream(
            select(ReviewRound.application_id, ReviewRound.round, ReviewRound.event_seq)
            .where(scope.ids(ReviewRound.application_id))
            .order_by(ReviewRound.application_id, ReviewRound.round),
        )
    )
    faults, done, next_report = report.faults, 0, PROGRESS_EVERY
    current, chain = None, []
    for row in events:
        if row[0] != current:
            if current is not None:
                _finish(current, chain, applications, reviews, members, rounds, faults)
            current, chain = row[0], []
            report.chains += 1
        chain.append(row)
        done += 1
        if progress is not None and done >= next_report:
            progress(done)
            next_report += PROGRESS_EVERY
    if current is not None:
        _finish(current, chain, applications, reviews, members, rounds, faults)
    for leftover in applications.before(float("inf")):
        faults.append(ChainFault(leftover[0], None, "no_history"))
    report.events = done
    if progress is not None:
        progress(done)
    return report


def _finish(application_id, chain, applications, reviews, members, rounds, faults) -> None:
    """Check one application's chain (held in memory: one chain at a time) and its rows."""
    for row in applications.before(application_id):
        faults.append(ChainFault(row[0], None, "no_history"))
    rows = applications.take(application_id)
    fault = _walk(application_id, chain)
    if fault is None:
        fault = _compare_row(application_id, chain[-1], rows[0] if rows else None)
    review_rows, member_rows = reviews.take(application_id), members.take(application_id)
    round_rows = rounds.take(application_id)
    if fault is None and all(event[ROW_VERSION] is not None for event in chain):
        # chains begun before the engine recorded reviews and members in events are not compared
        fault = _compare_side(application_id, chain, review_rows, member_rows)
    if fault is None and {(r[1], r[2]) for r in round_rows} != _replay_rounds(chain):
        fault = ChainFault(application_id, chain[-1][SEQ], "rounds_changed")
    if fault is not None:
        faults.append(fault)


def _walk(application_id, chain) -> ChainFault | None:
    previous = ""
    for expected_seq, row in enumerate(chain, start=1):
        if row[SEQ] != expected_seq:
            return ChainFault(application_id, expected_seq, "event_missing")
        if row[PREV] != previous:
            return ChainFault(application_id, expected_seq, "link_broken")
        if event_digest(row) != row[HASH]:
            return ChainFault(application_id, expected_seq, "altered")
        previous = row[HASH]
    return None


def _compare_row(application_id, last, row) -> ChainFault | None:
    """The application row must be exactly what its last event left behind."""
    if row is None:
        return ChainFault(application_id, last[SEQ], "row_missing")
    _id, state, data, event_data, row_version, history_seq, head, key, version, sha = row
    if history_seq > last[SEQ]:
        return ChainFault(application_id, last[SEQ] + 1, "head_missing", {"expected": history_seq})
    if history_seq < last[SEQ]:
        return ChainFault(application_id, history_seq + 1, "not_on_row", {"expected": history_seq})
    what = []
    if head != last[HASH]:
        what.append("head")
    if state != last[TO_STATE]:
        what.append("state")
    legacy = last[ROW_VERSION] is None  # written before events recorded the row version
    if data_hash(event_data if legacy else data) != last[DATA_HASH]:
        what.append("data")
    if not legacy and row_version != last[ROW_VERSION]:
        what.append("row_version")
    if (key, version, sha) != (last[KEY], last[VERSION], last[SHA]):
        what.append("definition")
    return ChainFault(application_id, last[SEQ], "row_changed", {"what": what}) if what else None


def replay_reviews(details) -> tuple[dict, set]:
    """What the events' details say the review assignments (by reviewer and round) and members are now."""
    reviews: dict[tuple, dict] = {}
    members: set = set()
    for detail in details:
        kind = detail.get("kind")
        seat = (detail.get("reviewer_id"), detail.get("round", 1))  # chains before rounds: all round 1
        if kind == "review_assigned":
            reviews[seat] = {
                "coi": "pending",
                "coi_reason": None,
                "scores": None,
                "total": None,
                "comment": None,
                "kind": detail.get("reviewer_kind"),
            }
        elif kind == "review_declared" and seat in reviews:
            reviews[seat].update(coi=detail["coi"], coi_reason=detail["coi_reason"])
        elif kind == "review_submitted" and seat in reviews:
            reviews[seat].update(scores=detail["scores"], total=detail["total"], comment=detail["comment"])
        elif kind == "member_added":
            members.add((detail["user_id"], detail["relation"]))
    return reviews, members


def _replay_rounds(chain) -> set:
    """(round, seq of the event that began it) for each review round the history records."""
    return {
        (event[DETAIL]["round"], event[SEQ])
        for event in chain
        if event[DETAIL] and event[DETAIL].get("kind") == "review_round_started"
    }


def _compare_side(application_id, chain, review_rows, member_rows) -> ChainFault | None:
    details = [event[DETAIL] for event in chain if event[DETAIL]]
    expected, expected_members = replay_reviews(details)
    actual = {
        (r[1], r[7]): {
            "coi": r[2],
            "coi_reason": r[3],
            "scores": r[4],
            "total": r[5],
            "comment": r[6],
            "kind": r[8],
        }
        for r in review_rows
    }
    for seat in sorted(expected.keys() | actual.keys()):
        if canonical(expected.get(seat)) != canonical(actual.get(seat)):
            return ChainFault(application_id, chain[-1][SEQ], "review_changed", {"reviewer": seat[0]})
    if {(r[1], r[2]) for r in member_rows} != expected_members:
        return ChainFault(application_id, chain[-1][SEQ], "member_changed")
    return None


def verify_staff(connection) -> ChainFault | None:
    """Walk the staff chain; replayed, it must give exactly the roles and inactive accounts there are."""
    roles: set = set()
    inactive: set = set()
    previous, expected_seq = "", 1
    for event in connection.execute(select(StaffEvent).order_by(StaffEvent.seq)).mappings():
        if event["seq"] != expected_seq:
            return ChainFault(None, expected_seq, "event_missing", chain="staff")
        if event["prev_hash"] != previous:
            return ChainFault(None, expected_seq, "link_broken", chain="staff")
        if staff_hash(event) != event["hash"]:
            return ChainFault(None, expected_seq, "altered", chain="staff")
        previous, expected_seq = event["hash"], expected_seq + 1
        assignment = (event["user_id"], event["role"], event["program_key"])
        action = event["action"]
        if action == "grant":
            roles.add(assignment)
        elif action == "revoke":
            roles.discard(assignment)
        elif action in ("deactivate", "invite"):  # an invited account is off until its invitation is accepted
            inactive.add(event["user_id"])
        elif action in ("activate", "accept_invite"):
            inactive.discard(event["user_id"])
    actual = set(connection.execute(select(UserRole.user_id, UserRole.role, UserRole.program_key)))
    actual_inactive = set(connection.execute(select(User.id).where(User.active.is_(False))).scalars())
    differing = {r[0] for r in actual ^ roles} | (actual_inactive ^ inactive)
    if differing:
        return ChainFault(None, None, "roles_changed", {"user": min(differing)}, chain="staff")
    return None


def verify_chain(connection, application_id: int) -> ChainFault | None:
    """One application's chain and rows (the auditor's page runs this)."""
    report = verify(connection, Scope(first_id=application_id, last_id=application_id))
    return report.faults[0] if report.faults else None


def verify_all(connection) -> list[ChainFault]:
    return verify(connection).faults
