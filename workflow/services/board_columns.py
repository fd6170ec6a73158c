"""What the officer's board can sort by and how it marks a step: the sort keys a URL may name (a
whitelist, each with the column kept on the application row for it) and each state's kind, read from
the rule file's shape (final, review, decision, a step the applicant takes), never from state names."""

from __future__ import annotations

from sqlalchemy import String, func, literal, select

from workflow.models import Application, ReviewAssignment, ReviewRound

DEFAULT_SORT = "-number"
NOT_NULL = frozenset({"number", "applicant", "state", "updated"})  # columns that always hold a value
# scores of the current review round only (a revision's new round starts them afresh)
ROUND = func.coalesce(
    select(func.max(ReviewRound.round))
    .where(ReviewRound.application_id == Application.id)
    .correlate(Application)
    .scalar_subquery(),
    1,
)
SCORED_NOW = (
    ReviewAssignment.application_id == Application.id,
    ReviewAssignment.submitted_at.is_not(None),
    ReviewAssignment.round == ROUND,
)
# the number of SCORED_NOW's reviews, for the rows of one page
REVIEWS = select(func.count()).where(*SCORED_NOW).correlate(Application).scalar_subquery()
# Sort key (as in the URL) → the column ordered by. Each is kept on the application row with an index
# on (program_key, column, id), so a page is read in order from the index: the key fields' title and
# amount and the open deadline written by the engine (workflow/engine/sort_keys.py), the average of
# SCORED_NOW's totals kept by triggers (migration 0016), the applicant's name (migration 0019).
SORT_COLUMNS = {
    "number": Application.id,
    "title": Application.key_title,
    "applicant": Application.applicant_name,
    "state": Application.state,
    "amount": Application.key_amount,
    "updated": Application.updated_at,
    "deadline": Application.open_deadline,
    "score": Application.review_average,
}


def data_text(name: str | None):
    """A data field's text, for the rows shown (the whole title; the sort column keeps its start)."""
    return Application.data[name].as_string() if name else literal(None, String)


def sort_columns(program) -> dict:
    """Sort key (as in the URL) → the column ordered by (the same for every program: the rule file's
    `key_fields:` chose what the engine keeps in the title and amount columns)."""
    return SORT_COLUMNS


def parse_sort(program, raw: str | None) -> str:
    """The URL's `sort` if it names a column ("score" ascending, "-score" descending), else the default."""
    raw = (raw or "").strip()
    return raw if raw.lstrip("-") in sort_columns(program) else DEFAULT_SORT


def state_kinds(program) -> dict[str, str]:
    """state → "stopped" | "done" | "applicant" | "review" | "decision" | "staff", for the badges.

    A final state some way into which is destructive or needs a reason is "stopped" (not selected,
    withdrawn); other final states are "done"; a state the applicant leaves by a step of their own
    (besides a destructive one such as withdrawing) waits on the applicant."""
    applicant_side = {
        name for name, kind in program.role_kinds.items() if kind.held_by in ("owner", "member")
    }
    decided = {spec.state for spec in program.spec.decisions.values()}
    kinds = {}
    for name, state in program.spec.states.items():
        entering = [t.spec for t in program.transitions if t.spec.to == name]
        leaving = [t.spec for t in program.leaving(name)]
        if state.final:
            stopped = any(t.destructive or t.reason == "required" for t in entering)
            kinds[name] = "stopped" if stopped else "done"
        elif any(set(t.roles) & applicant_side and not t.destructive for t in leaving):
            kinds[name] = "applicant"
        elif state.review:
            kinds[name] = "review"
        elif name in decided:
            kinds[name] = "decision"
        else:
            kinds[name] = "staff"
    return kinds


def selection_states(program) -> set[str]:
    """States where a decision chooses between outcomes after reviews: a decision's state entered
    from a review state."""
    reviewed = {name for name, state in program.spec.states.items() if state.review}
    found = set()
    for spec in program.spec.decisions.values():
        if any(t.spec.to == spec.state and set(t.sources) & reviewed for t in program.transitions):
            found.add(spec.state)
    return found
