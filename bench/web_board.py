"""The officer's board in bench/web.py: bulk rows that vary as a real board's do, the pages measured
(every order each way), and `board()` timed in-process."""

from __future__ import annotations

import random
import time
import urllib.parse
from datetime import timedelta

FAMILY = "김이박최정강조윤장임한오서신권황"
GIVEN = ("민준", "서연", "도윤", "하은", "시우", "지유", "주원", "서윤", "하준", "지민", "건우", "수아")
BOARD_STATES = ("screening", "pitch_review", "selection", "rejected", "in_progress")
SCORED = ("selection", "rejected", "in_progress")  # states after the pitch review: an average score


def bench_applicants(connection, count: int = 300) -> list[dict]:
    """Applicants whose names repeat (ties in the applicant order, broken by number)."""
    from workflow.services.users import create_user

    people = []
    for n in range(count):
        name = FAMILY[n % len(FAMILY)] + GIVEN[(n // len(FAMILY)) % len(GIVEN)]
        organisation = f"벤치법인 {n % 97:02d}"
        user_id = create_user(connection, f"applicant{n:04d}@bench.kr", name, organisation=organisation)
        people.append({"id": user_id, "name": name, "text": f"{name} {organisation}".lower()})
    return people


def bulk_rows(program, template: dict, applicants: list[dict], count: int, first_id: int):
    """`count` copies of the engine-written `template` as (row, timers): numbered from `first_id`, spread
    over the board's states, applicants, amounts (round millions: many ties), last changes, deadlines
    (the screening step's, some overdue) and average scores, with the search text the engine writes."""
    from workflow.engine.search_text import data_text
    from workflow.engine.sort_keys import key_values

    rng = random.Random(2026)
    deadline = template["state_entered_at"] + timedelta(days=14)
    for number in range(count):
        row = dict(template, id=first_id + number)
        row["state"] = BOARD_STATES[number % len(BOARD_STATES)]
        applicant = rng.choice(applicants)
        row["applicant_id"] = applicant["id"]
        row["data"] = {
            **template["data"],
            program.title_field: f"벤치기업 {number:06d}",
            program.amount_field: rng.randint(1, 100) * 1_000_000,
        }
        row["search_text"] = f"{data_text(program, row['data'])} {applicant['text']}"
        row.update(key_values(program, row["data"]), applicant_name=applicant["name"], open_deadline=None)
        row["updated_at"] = template["updated_at"] - timedelta(minutes=rng.randint(0, 525_600))
        row["review_average"] = round(rng.uniform(40, 100), 1) if row["state"] in SCORED else None
        timers = []
        if row["state"] == "screening":
            due = deadline + timedelta(hours=rng.randint(-30 * 24, 14 * 24))
            row["open_deadline"] = due
            timers.append(
                {"application_id": row["id"], "state": "screening", "kind": "deadline", "due_at": due,
                 "status": "pending" if due > template["updated_at"] else "fired",
                 "action": {"notice": "screening_overdue"}, "created_at": template["created_at"]}
            )  # fmt: skip
        yield row, timers


# every order the board offers, each way: the first page (page names "sort_amount", "sort_-amount", ...)
SORTS = ("number", "title", "applicant", "state", "amount", "updated", "deadline", "score")
SORT_PAGES = tuple(f"sort_{way}{key}" for key in SORTS for way in ("", "-") if way + key != "-number")
PAGES = ("status", "board", "search", "deep_key", "deep_offset", *SORT_PAGES, "sort_amount_deep")


def board_queries(applications: int) -> dict[str, str]:
    """Each board page measured → its query string."""
    # the deep page: 1,002 (as measured in issue 16) or the middle of a smaller board, 50 rows a page;
    # by key its `after=` is the number just above that page (rows are numbered 1.. in insert order)
    total = applications + 1
    deep = min(1002, total // 50 // 2)
    after = total - (deep - 1) * 50 + 1
    search = urllib.parse.quote("기업 00077")  # ten of them: 벤치기업 000770 to 000779
    queries = {
        "board": "",
        "search": f"?q={search}",
        "deep_key": f"?page={deep}&after={after}",
        "deep_offset": f"?page={deep}",
        **{page: f"?sort={page.removeprefix('sort_')}" for page in SORT_PAGES},
        "sort_amount_deep": f"?sort=-amount&page={deep}",
    }
    return queries


def in_process(queries: dict[str, str], rounds: int) -> dict:
    """p50/p99 of `board()` itself for each page, in this process: the database's share of a page,
    without HTTP or the queueing behind other requests that wrk's figures include on a busy machine."""
    from urllib.parse import parse_qs

    from workflow.app import create_app
    from workflow.services.board import board

    workflow = create_app("prod").extensions["workflow"]  # the settings `prepare` put in the environment
    program = workflow.registry.latest("startup-support")
    timings = {}
    with workflow.db.connect() as connection:
        for page, query in queries.items():
            args = {name: values[0] for name, values in parse_qs(query.lstrip("?")).items()}
            after = int(args["after"]) if "after" in args else None
            samples = []
            for _ in range(rounds + 1):  # the first one warms up
                started = time.perf_counter()
                board(
                    connection,
                    program,
                    None,
                    args.get("q", ""),
                    int(args.get("page", 1)),
                    args.get("sort", ""),
                    after=after,
                )
                samples.append((time.perf_counter() - started) * 1000)
                connection.rollback()
            samples = sorted(samples[1:])
            timings[f"{page}_p50_ms"] = round(samples[len(samples) // 2], 1)
            timings[f"{page}_p99_ms"] = round(samples[min(len(samples) - 1, int(len(samples) * 0.99))], 1)
    workflow.db.dispose()
    return timings
