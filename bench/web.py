"""Web pages under gunicorn (2 workers) and wrk on loopback, against a bare Flask baseline in the same run.

Pages: the applicant's status page and the officer's board of a program holding 10,000 applications,
served with Prometheus metrics (multiprocess mode) and JSON logs switched on, as in production; the status
page is measured once more with both off; and the CPU time per request of both, in-process, on and off.
The board (`--applications 100000` for the large run): its first page, a search, a deep page (page
1,002, or the middle page of a smaller board) both by key (`after=`, as "next page" links) and by number,
the first page in every order the board offers, each way (`sort_amount`, `sort_-amount`, ...), and the
deep page by amount. The bulk rows vary as a real board does: 300 applicants (names repeat), amounts in
round millions (many ties), last changes over a year, deadlines in the screening step (some overdue) and
average scores after the pitch review.
Both are served with the production gunicorn settings (deploy/gunicorn.conf.py).
The baseline is a bare Flask app (no sign-in, no Babel, no CSRF, no security headers) whose routes run
the same read queries (the same service functions, through the same read engine) and render a trivial
template; the ratio is the cost of the full web stack. Runs on SQLite and on PostgreSQL (BENCH_POSTGRES_URL, skipped if not
reachable). Prints requests/s, p50 and p99; the last line is one JSON object.

    python bench/web.py [--seconds 8] [--connections 4] [--only sqlite|postgres] [--applications N]
                        [--pages board,search,sort_-amount,...]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path

from sqlalchemy import insert, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from web_board import PAGES, bench_applicants, board_queries, bulk_rows, in_process  # noqa: E402

from workflow.db import make_engine  # noqa: E402
from workflow.engine.actors import load_actor  # noqa: E402
from workflow.models import Application, Timer  # noqa: E402

POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
APPLICATIONS = 10_000
PASSWORD = "bench-password-2026"
USER_AGENT = "grants-web-bench"
BENCH_SECRET = "bench-secret-not-for-production-0123456789"  # prod refuses shorter ones


def baseline():
    """The bare Flask app gunicorn serves as the baseline: same queries, trivial template (compiled once,
    as Flask's templates from files are; `render_template_string` would compile it on every request)."""
    from flask import Flask, render_template

    from workflow.app import create_app
    from workflow.services.board import board
    from workflow.services.status import application_view
    from workflow.web.auth import read_db

    full = create_app("prod")
    workflow = full.extensions["workflow"]
    with full.app_context():
        reads = read_db()  # the same read path as the pages (no write lock on SQLite)
    app = Flask(__name__)
    status_page = app.jinja_env.from_string("<p>{{ v.state }} {{ v.events|length }}</p>")
    board_template = app.jinja_env.from_string("<p>{{ b.total }} {{ b.rows|length }}</p>")

    @app.get("/status/<int:application_id>")
    def status(application_id: int):
        with reads.connect() as connection:
            view = application_view(workflow, connection, application_id)
        return render_template(status_page, v=view)

    @app.get("/board/<key>")
    def board_page(key: str):
        from flask import request

        program = workflow.registry.latest(key)
        if program is None:
            return "unknown program", 404
        after = request.args.get("after", type=int)
        page = request.args.get("page", 1, type=int)
        with reads.connect() as connection:
            result = board(
                connection,
                program,
                None,
                request.args.get("q", ""),
                page,
                request.args.get("sort", ""),
                after=after,
            )
        return render_template(board_template, b=result)

    return app


def prepare(database_url: str, upload_dir: str, applications: int = APPLICATIONS) -> dict:
    """Schema, users, one application through the engine (its status page), then `applications` more
    rows written in bulk (with the search text the engine would write)."""
    os.environ.update(
        DATABASE_URL=database_url, SECRET_KEY=BENCH_SECRET, BASE_URL="http://127.0.0.1", UPLOAD_DIR=upload_dir
    )
    from tests.factories import startup_data
    from workflow.app import create_app
    from workflow.schema import upgrade
    from workflow.services.files import FileStore
    from workflow.services.users import create_user

    app = create_app("prod")
    workflow = app.extensions["workflow"]
    upgrade(workflow.db)
    workflow.registry.publish_all(workflow.db)
    with workflow.db.begin() as connection:
        applicant = create_user(connection, "applicant@bench.kr", "한신청", PASSWORD, organisation="헬스온")
        officer = create_user(
            connection, "officer@bench.kr", "김담당", PASSWORD, roles=[("officer", "startup-support")]
        )
    with workflow.db.connect() as connection:
        applicant_actor = load_actor(connection, applicant)
    data = startup_data(FileStore(upload_dir))
    created = workflow.create("startup-support", applicant_actor, data)
    assert created.ok, created.reason("en")
    assert workflow.fire(created.application_id, "submit", applicant_actor).ok
    program = workflow.registry.latest("startup-support")
    with workflow.db.begin() as connection:
        template = dict(
            connection.execute(select(Application).where(Application.id == created.application_id))
            .mappings()
            .one()
        )
        applicants = bench_applicants(connection)
        next_id = template.pop("id") + 1
        rows, timers = [], []
        for row, timer in bulk_rows(program, template, applicants, applications, next_id):
            rows.append(row)
            timers += timer
            if len(rows) == 2000:
                connection.execute(insert(Application), rows)
                rows = []
        if rows:
            connection.execute(insert(Application), rows)
        if timers:
            connection.execute(insert(Timer), timers)
        if workflow.db.dialect.name == "postgresql":
            connection.execute(
                text("SELECT setval(pg_get_serial_sequence('applications', 'id'), max(id)) FROM applications")
            )
    if workflow.db.dialect.name == "postgresql":
        # what autovacuum does on a live database: statistics, and a visibility map for index-only scans
        with workflow.db.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    workflow.db.dispose()
    return {"status_id": created.application_id, "applicant": applicant, "officer": officer}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(target: str, port: int, env: dict, log_path: str | None = None) -> subprocess.Popen:
    """gunicorn with the production settings file (both apps: the same server and collector settings),
    2 workers on `port`."""
    command = [
        str(Path(sys.executable).parent / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
        "--workers", "2", "--bind", f"127.0.0.1:{port}", "--pythonpath", f"{ROOT},{ROOT / 'bench'}",
        "--log-level", "warning", target,
    ]  # fmt: skip
    log = open(log_path, "w") if log_path else None  # noqa: SIM115 - the process keeps it until it ends
    process = subprocess.Popen(command, env=env, cwd=ROOT, stderr=log)
    for _ in range(300):  # a minute: the machine may be busy
        try:
            urllib.request.urlopen(
                f"http://127.0.0.1:{port}/healthz"
                if "wsgi" in target
                else f"http://127.0.0.1:{port}/board/none",
                timeout=1,
            )
            return process
        except urllib.error.HTTPError:  # it answers (the check URL may be refused): it is up
            return process
        except Exception:  # noqa: BLE001 - not listening yet
            time.sleep(0.2)
    process.terminate()
    process.wait(timeout=30)
    raise RuntimeError(f"gunicorn did not start: {target}")


def session_cookie(port: int, email: str) -> str:
    """Sign in over HTTP like a browser (CSRF token, same User-Agent as wrk) and return the cookie."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    page = opener.open(f"http://127.0.0.1:{port}/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": token}).encode()
    opener.open(f"http://127.0.0.1:{port}/login", data=body)
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def wrk(url: str, seconds: int, connections: int, cookie: str | None = None) -> dict:
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-H",
        f"User-Agent: {USER_AGENT}",
    ]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    scales = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", output)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses\n{output}")
    return {
        "rps": rps,
        "p50_ms": round(float(p50.group(1)) * scales[p50.group(2)], 2),
        "p99_ms": round(float(p99.group(1)) * scales[p99.group(2)], 2),
    }


def run(
    database: str,
    url: str,
    seconds: int,
    connections: int,
    applications: int = APPLICATIONS,
    pages: tuple[str, ...] = PAGES,
    rounds: int = 0,
) -> dict:
    upload_dir = tempfile.mkdtemp(prefix="bench-uploads-")
    ids = prepare(url, upload_dir, applications)
    if rounds:  # the board in-process only
        timings = in_process({p: q for p, q in board_queries(applications).items() if p in pages}, rounds)
        shutil.rmtree(upload_dir, ignore_errors=True)
        print(f"{database} in-process: " + ", ".join(f"{k}={v}" for k, v in timings.items()), flush=True)
        return timings
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": BENCH_SECRET, "BASE_URL": "http://127.0.0.1", "GRANTS_CONFIG": "dev",
           "UPLOAD_DIR": upload_dir}  # fmt: skip
    metrics_dir = tempfile.mkdtemp(prefix="bench-metrics-")
    observed = {**env, "PROMETHEUS_MULTIPROC_DIR": metrics_dir, "LOG_FORMAT": "json"}
    quiet = {**env, "METRICS_ENABLED": "0", "LOG_LEVEL": "WARNING"}
    full_port, base_port, quiet_port = free_port(), free_port(), free_port()
    servers = []
    queries = {page: query for page, query in board_queries(applications).items() if page in pages}
    try:
        full = serve("wsgi:app", full_port, observed, log_path=f"{upload_dir}/web-json.log")
        servers.append(full)
        servers.append(serve("web:baseline()", base_port, env))
        servers.append(serve("wsgi:app", quiet_port, quiet))
        applicant = session_cookie(full_port, "applicant@bench.kr")
        officer = session_cookie(full_port, "officer@bench.kr")
        full_urls = {"status": (f"http://127.0.0.1:{full_port}/applications/{ids['status_id']}", applicant)}
        base_urls = {"status": f"http://127.0.0.1:{base_port}/status/{ids['status_id']}"}
        for page, query in queries.items():
            full_urls[page] = (
                f"http://127.0.0.1:{full_port}/officer/programs/startup-support{query}",
                officer,
            )
            base_urls[page] = f"http://127.0.0.1:{base_port}/board/startup-support{query}"
        for url_, cookie in full_urls.values():  # warm up and check access
            request = urllib.request.Request(url_, headers={"Cookie": cookie, "User-Agent": USER_AGENT})
            with urllib.request.urlopen(request) as response:
                assert response.status == 200 and "/login" not in response.url, url_
        results = {}
        for page in pages:
            results[page] = wrk(full_urls[page][0], seconds, connections, full_urls[page][1])
            results[f"{page}_baseline"] = wrk(base_urls[page], seconds, connections)
        if "status" in pages:
            results["status_quiet"] = wrk(
                f"http://127.0.0.1:{quiet_port}/applications/{ids['status_id']}",
                seconds,
                connections,
                session_cookie(quiet_port, "applicant@bench.kr"),
            )
        with open(f"{upload_dir}/web-json.log") as log:
            lines = [line for line in log if '"event": "request"' in line]
        assert lines, "no JSON request lines were logged"
        scraped = urllib.request.urlopen(f"http://127.0.0.1:{full_port}/metrics").read().decode()
        assert "grants_http_requests_total" in scraped, "metrics were not collected"
    finally:
        for process in servers:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)
        shutil.rmtree(upload_dir, ignore_errors=True)
        shutil.rmtree(metrics_dir, ignore_errors=True)
    summary = {"applications": applications}
    for page in (p for p in PAGES if p in results):
        summary[f"{page}_rps"] = results[page]["rps"]
        summary[f"{page}_baseline_rps"] = results[f"{page}_baseline"]["rps"]
        summary[f"{page}_ratio"] = round(results[page]["rps"] / results[f"{page}_baseline"]["rps"], 3)
        summary[f"{page}_p50_ms"] = results[page]["p50_ms"]
        summary[f"{page}_p99_ms"] = results[page]["p99_ms"]
    if "status" in pages:
        summary["status_quiet_rps"] = results["status_quiet"]["rps"]
        # 2 workers busy all the time: each request costs workers / rps of a worker's time
        summary["observability_us_per_request"] = round(
            2e6 * (1 / results["status"]["rps"] - 1 / results["status_quiet"]["rps"]), 1
        )
    summary["json_log_lines"] = len(lines)
    print(f"{database}: " + ", ".join(f"{k}={v}" for k, v in summary.items()), flush=True)
    return summary


def postgres_database() -> tuple[str, callable] | None:
    name = f"grants_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=None, pool_size=1)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - no PostgreSQL here
        print(f"postgres: skipped ({error.__class__.__name__})")
        admin.dispose()
        return None

    def drop():
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", drop


def cost_probe(mode: str) -> float:
    """CPU µs per request of /healthz in this process, with metrics and JSON logs on or off (a child
    process each: multiprocess metrics must be chosen before prometheus_client is imported)."""
    if mode == "on":
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="bench-cost-")
    from workflow.app import create_app

    config = {"DATABASE_URL": "sqlite://", "SECRET_KEY": BENCH_SECRET, "LOG_FORMAT": "json"}
    if mode == "off":
        config.update(METRICS_ENABLED="0", LOG_LEVEL="WARNING")
    app = create_app("dev", config)
    app.extensions["log_handler"].setStream(open(os.devnull, "w"))  # noqa: SIM115 - until exit
    client = app.test_client()
    for _ in range(300):
        client.get("/healthz")
    best = float("inf")
    for _ in range(5):
        started = time.process_time()  # the writer thread's time counts too
        for _ in range(1000):
            client.get("/healthz")
        best = min(best, (time.process_time() - started) / 1000)
    return best * 1e6


def observability_cost() -> dict:
    def probe(mode: str) -> float:
        done = subprocess.run(
            [sys.executable, __file__, "--cost-probe", mode], capture_output=True, text=True, check=True
        )
        return float(done.stdout.strip().splitlines()[-1])

    off, on = probe("off"), probe("on")
    cost = {"healthz_cpu_us_off": round(off, 1), "healthz_cpu_us_on": round(on, 1),
            "metrics_and_json_logs_cpu_us_per_request": round(on - off, 1)}  # fmt: skip
    print("cost of metrics and JSON logs: " + ", ".join(f"{k}={v}" for k, v in cost.items()), flush=True)
    return cost


def main() -> None:
    if sys.argv[1:2] == ["--cost-probe"]:
        print(cost_probe(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--applications", type=int, default=APPLICATIONS)
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated, of: " + ", ".join(PAGES))
    parser.add_argument(
        "--in-process", type=int, default=0, metavar="N", help="time board() N times a page, no wrk"
    )
    options = parser.parse_args()
    pages = tuple(p for p in PAGES if p in options.pages.split(","))
    rounds = options.in_process
    if rounds:
        pages = tuple(p for p in pages if p != "status")
    elif shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install -y wrk")
    results = {}
    if options.only in (None, "sqlite"):
        folder = tempfile.mkdtemp(prefix="bench-web-")
        results["sqlite"] = run(
            "sqlite",
            f"sqlite:///{folder}/bench.sqlite3",
            options.seconds,
            options.connections,
            options.applications,
            pages,
            rounds,
        )
        shutil.rmtree(folder, ignore_errors=True)
    if options.only in (None, "postgres"):
        made = postgres_database()
        if made is not None:
            url, drop = made
            try:
                results["postgres"] = run(
                    "postgres", url, options.seconds, options.connections, options.applications, pages, rounds
                )
            finally:
                drop()
    if rounds:
        worst = {name: max(r[name] for r in results.values()) for name in next(iter(results.values()))}
        print(json.dumps({"bench": "web-board-in-process", **worst, **results}, ensure_ascii=False))
        return
    cost = observability_cost()
    worst = {
        **{f"{p}_ratio": min(r[f"{p}_ratio"] for r in results.values()) for p in pages},
        **{f"{p}_p99_ms": max(r[f"{p}_p99_ms"] for r in results.values()) for p in pages},
    }
    print(json.dumps({"bench": "web", **worst, **cost, **results}, ensure_ascii=False))


if __name__ == "__main__":
    main()
