"""Read models for staff pages: the officer's board (counts by state, filtered, searched, paged),
the reviewer's inbox, and reviewer candidates without a declared or detectable conflict."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, func, or_, select

from workflow.engine.records import ApplicationRow
from workflow.engine.review_rounds import current_round
from workflow.engine.search_text import normalise
from workflow.models import Application, ApplicationCount, ReviewAssignment, User, UserRole
from workflow.services.board_columns import (
    DEFAULT_SORT,
    NOT_NULL,
    REVIEWS,
    SORT_COLUMNS,
    data_text,
    parse_sort,
)
from workflow.vocabulary.numbers import database_id

PER_PAGE = 50


@dataclass
class Board:
    counts: dict[str, int]
    rows: list[dict]
    total: int
    page: int
    pages: int
    sort: str = DEFAULT_SORT
    per_page: int = PER_PAGE


def state_counts(connection, program_keys) -> dict[str, dict[str, int]]:
    """program → state → applications, for every program at once: the counters the database keeps
    (a few rows per state) instead of counting every application."""
    counts: dict[str, dict[str, int]] = {key: {} for key in program_keys}
    if not counts:
        return counts
    rows = connection.execute(
        select(ApplicationCount.program_key, ApplicationCount.state, func.sum(ApplicationCount.n))
        .where(ApplicationCount.program_key.in_(list(counts)))
        .group_by(ApplicationCount.program_key, ApplicationCount.state)
    )
    for key, state, n in rows:
        if n:
            counts[key][state] = int(n)
    return counts


def board(
    connection,
    program,
    state: str | None = None,
    q: str = "",
    page: int = 1,
    sort: str = DEFAULT_SORT,
    every_page: bool = False,
    after: int | None = None,
) -> Board:
    """One page of a program's applications in the chosen order (newest first by default), with
    counts per state for the tabs. `every_page` gives every matching row (the exports).

    In number order, `after` (the last number of the page before) pages by key: the next page starts
    there in the index instead of counting its way past every earlier row (OFFSET).

    Rows carry `title` and `amount` (the fields the rule file's `key_fields:` names), the open
    `deadline` of the current step, the average review `score` and the number of `reviews`."""
    program_key = program.key
    counts = state_counts(connection, [program_key])[program_key]
    conditions = [Application.program_key == program_key]
    if state:
        conditions.append(Application.state == state)
    q = (q or "").strip()
    sort = parse_sort(program, sort)
    key, descending = sort.lstrip("-"), sort.startswith("-")
    ids = select(Application.id).where(*conditions)
    if q:
        # one indexed column (trigrams on PostgreSQL), or the number: no JSON scan, no join
        pattern = "%" + normalise(q).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        matches = [Application.search_text.like(pattern, escape="\\")]
        number = database_id(q)
        if number is not None:
            matches.append(Application.id == number)
        ids = ids.where(or_(*matches))
        total = connection.execute(select(func.count()).select_from(ids.subquery())).scalar_one()
    else:
        # the tabs' counts already hold the total: no second scan of the program's rows
        total = counts.get(state, 0) if state else sum(counts.values())
    per_page = PER_PAGE
    if every_page:
        pages, page, limit, offset = 1, 1, None, 0
    else:
        pages = max(1, -(-total // per_page))
        page = min(max(1, page), pages)
        limit, offset = per_page, (page - 1) * per_page
        if after is not None and key == "number":
            # by key: the next page starts at `after` in the index instead of counting past every earlier row
            ids = ids.where(Application.id < after if descending else Application.id > after)
            offset = 0
    page_ids = ordered_ids(connection, ids, SORT_COLUMNS[key], descending, key not in NOT_NULL, limit, offset)
    found = connection.execute(
        select(
            Application.id,
            Application.state,
            Application.updated_at,
            Application.program_version,
            data_text(program.title_field).label("title"),
            Application.key_amount.label("amount"),
            Application.open_deadline.label("deadline"),
            Application.review_average.label("score"),
            REVIEWS.label("reviews"),
            User.name.label("applicant_name"),
            User.organisation.label("organisation"),
        )
        .join(User, User.id == Application.applicant_id)
        .where(Application.id.in_(page_ids))
    )
    by_id = {r.id: dict(r._mapping) for r in found}
    rows = [by_id[i] for i in page_ids if i in by_id]
    return Board(counts, rows, total, page, pages, sort, per_page)


def ordered_ids(connection, ids, column, descending: bool, nullable: bool, limit, offset: int) -> list[int]:
    """`limit` ids of `ids` from `offset` in the board's order: by `column`, rows without a value last
    in either direction, the newest first among equals.

    Each order is read from an index on (program_key, column, id). Such an index holds missing values
    after the others, so read backwards (descending) it would give them first: the rows with a value
    and those without are read apart, the second only when the page reaches past the first."""
    tiebreak = [] if column is Application.id else [Application.id.desc()]
    order = column.desc() if descending else column.asc()

    def read(statement, limit, offset) -> list[int]:
        if limit is not None:
            statement = statement.limit(limit).offset(offset)
        return list(connection.execute(statement).scalars())

    if not nullable:
        return read(ids.order_by(order, *tiebreak), limit, offset)
    valued = read(ids.where(column.is_not(None)).order_by(order, *tiebreak), limit, offset)
    if limit is not None and len(valued) == limit:
        return valued
    if valued or not offset:
        before = offset + len(valued)  # this read reached the last row with a value
    else:  # the page lies past them all: count them to know where it starts among the others
        before = connection.execute(
            select(func.count()).select_from(ids.where(column.is_not(None)).subquery())
        ).scalar_one()
    rest = None if limit is None else limit - len(valued)
    return valued + read(
        ids.where(column.is_(None)).order_by(Application.id.desc()), rest, max(0, offset - before)
    )


def inbox(connection, reviewer_id: int) -> list[dict]:
    """The reviewer's assignments; nothing of the application beyond its number and program."""
    rows = connection.execute(
        select(
            ReviewAssignment.application_id,
            ReviewAssignment.coi,
            ReviewAssignment.total,
            ReviewAssignment.assigned_at,
            ReviewAssignment.submitted_at,
            ReviewAssignment.round,
            ReviewAssignment.kind,
            Application.program_key,
            Application.program_version,
            Application.definition_sha,
            Application.state,
        )
        .join(Application, Application.id == ReviewAssignment.application_id)
        .where(ReviewAssignment.reviewer_id == reviewer_id)
        .order_by(ReviewAssignment.submitted_at.is_not(None), ReviewAssignment.assigned_at.desc())
    )
    return [dict(r._mapping) for r in rows]


def declared_conflicts(connection, program_keys, limit: int = 20) -> list[dict]:
    """Recent conflict declarations on the programs an officer runs: the assignment needs replacing."""
    if not program_keys:
        return []
    rows = connection.execute(
        select(
            ReviewAssignment.application_id,
            ReviewAssignment.coi_reason,
            ReviewAssignment.assigned_at,
            User.name.label("reviewer_name"),
            Application.program_key,
        )
        .join(User, User.id == ReviewAssignment.reviewer_id)
        .join(Application, Application.id == ReviewAssignment.application_id)
        .where(ReviewAssignment.coi == "conflict", Application.program_key.in_(list(program_keys)))
        .order_by(ReviewAssignment.id.desc())
        .limit(limit)
    )
    return [dict(r._mapping) for r in rows]


def _norm(text: str | None) -> str:
    return "".join((text or "").lower().split()).replace("주식회사", "").replace("(주)", "")


# Active reviewers of a program (or of every program), by name. Built once: the board's bulk bar asks on
# every page, and building the statement costs more than running it.
PROGRAM_REVIEWERS = (
    select(User.id, User.name, User.organisation, User.email)
    .join(UserRole, UserRole.user_id == User.id)
    .where(
        UserRole.role == "reviewer",
        or_(UserRole.program_key.is_(None), UserRole.program_key == bindparam("program_key")),
        User.active.is_(True),
    )
    .distinct()
    .order_by(User.name, User.id)
)


def reviewer_candidates(connection, application: ApplicationRow, program) -> tuple[list[dict], list[dict]]:
    """(candidates, excluded with the reason code): reviewers of this program or global reviewers.

    Excluded: already assigned, declared a conflict, the applicant themselves, or the same
    organisation as the applicant (by the applicant's account or the organisation field of the form)."""
    reviewers = connection.execute(PROGRAM_REVIEWERS, {"program_key": program.key}).all()
    # a seat of the current round, or a conflict declared in any round, keeps a reviewer off the list
    round_now = current_round(connection, application.id)
    assigned = {
        reviewer_id: coi
        for reviewer_id, coi, round_ in connection.execute(
            select(ReviewAssignment.reviewer_id, ReviewAssignment.coi, ReviewAssignment.round).where(
                ReviewAssignment.application_id == application.id
            )
        ).all()
        if round_ == round_now or coi == "conflict"
    }
    applicant_org = connection.execute(
        select(User.organisation).where(User.id == application.applicant_id)
    ).scalar()
    organisations = {_norm(applicant_org), _norm(program.organisation_of(application.data))} - {""}
    candidates, excluded = [], []
    for reviewer in reviewers:
        item = dict(reviewer._mapping)
        if reviewer.id in assigned:
            item["why"] = "conflict" if assigned[reviewer.id] == "conflict" else "assigned"
        elif reviewer.id == application.applicant_id:
            item["why"] = "applicant"
        elif _norm(reviewer.organisation) in organisations:
            item["why"] = "same_organisation"
        else:
            candidates.append(item)
            continue
        excluded.append(item)
    return candidates, excluded
