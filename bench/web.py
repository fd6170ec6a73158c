"""Web pages under gunicorn (2 workers) and wrk on loopback, against a bare Flask baseline in the same run.

Pages: the applicant's status page and the officer's board of a program holding 10,000 applications,
served with Prometheus metrics (multiprocess mode) and JSON logs switched on, as in production; the status
page is measured once more with both off; and the CPU time per request of both, in-process, on and off.
The baseline is a bare Flask app (no sign-in, no Babel, no CSRF, no security headers) whose routes run
the same read queries (the same service functions, through the same read engine) and render a trivial
template; the ratio is the cost of the full web stack. Runs on SQLite and on PostgreSQL (BENCH_POSTGRES_URL, skipped if not
reachable). Prints requests/s and p99; the last line is one JSON object.

    python bench/web.py [--seconds 8] [--connections 4] [--only sqlite|postgres]
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

from workflow.actors import load_actor  # noqa: E402
from workflow.db import make_engine  # noqa: E402
from workflow.models import Application  # noqa: E402

POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
APPLICATIONS = 10_000
PASSWORD = "bench-password-2026"
USER_AGENT = "grants-web-bench"
BENCH_SECRET = "bench-secret-not-for-production-0123456789"  # prod refuses shorter ones


def baseline():
    """The bare Flask app gunicorn serves as the baseline: same queries, trivial template."""
    from flask import Flask, render_template_string

    from workflow.app import create_app
    from workflow.services.board import board
    from workflow.services.status import application_view
    from workflow.web.auth import read_db

    full = create_app("prod")
    workflow = full.extensions["workflow"]
    with full.app_context():
        reads = read_db()  # the same read path as the pages (no write lock on SQLite)
    app = Flask(__name__)

    @app.get("/status/<int:application_id>")
    def status(application_id: int):
        with reads.connect() as connection:
            view = application_view(workflow, connection, application_id)
        return render_template_string("<p>{{ v.state }} {{ v.events|length }}</p>", v=view)

    @app.get("/board/<key>")
    def board_page(key: str):
        program = workflow.registry.latest(key)
        if program is None:
            return "unknown program", 404
        with reads.connect() as connection:
            result = board(connection, program)
        return render_template_string("<p>{{ b.total }} {{ b.rows|length }}</p>", b=result)

    return app


def prepare(database_url: str, upload_dir: str) -> dict:
    """Schema, users, one application through the engine (its status page), then 10,000 more rows."""
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
    with workflow.db.begin() as connection:
        template = dict(
            connection.execute(select(Application).where(Application.id == created.application_id))
            .mappings()
            .one()
        )
        template.pop("id")
        states = ["screening", "pitch_review", "selection", "rejected", "in_progress"]
        rows = []
        for number in range(APPLICATIONS):
            row = dict(template)
            row["state"] = states[number % len(states)]
            row["data"] = {**template["data"], "company_name": f"벤치기업 {number:05d}"}
            rows.append(row)
        for start in range(0, len(rows), 1000):
            connection.execute(insert(Application), rows[start : start + 1000])
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
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
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
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} error responses\n{output}")
    return {"rps": rps, "p99_ms": float(p99.group(1)) * scale}


def run(database: str, url: str, seconds: int, connections: int) -> dict:
    upload_dir = tempfile.mkdtemp(prefix="bench-uploads-")
    ids = prepare(url, upload_dir)
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": BENCH_SECRET, "BASE_URL": "http://127.0.0.1", "GRANTS_CONFIG": "dev",
           "UPLOAD_DIR": upload_dir}  # fmt: skip
    metrics_dir = tempfile.mkdtemp(prefix="bench-metrics-")
    observed = {**env, "PROMETHEUS_MULTIPROC_DIR": metrics_dir, "LOG_FORMAT": "json"}
    quiet = {**env, "METRICS_ENABLED": "0", "LOG_LEVEL": "WARNING"}
    full_port, base_port, quiet_port = free_port(), free_port(), free_port()
    servers = []
    try:
        full = serve("wsgi:app", full_port, observed, log_path=f"{upload_dir}/web-json.log")
        servers.append(full)
        servers.append(serve("web:baseline()", base_port, env))
        servers.append(serve("wsgi:app", quiet_port, quiet))
        applicant = session_cookie(full_port, "applicant@bench.kr")
        officer = session_cookie(full_port, "officer@bench.kr")
        status_url = f"http://127.0.0.1:{full_port}/applications/{ids['status_id']}"
        board_url = f"http://127.0.0.1:{full_port}/officer/programs/startup-support"
        for url_, cookie in ((status_url, applicant), (board_url, officer)):  # warm up and check access
            request = urllib.request.Request(url_, headers={"Cookie": cookie, "User-Agent": USER_AGENT})
            with urllib.request.urlopen(request) as response:
                assert response.status == 200 and "/login" not in response.url, url_
        results = {
            "status": wrk(status_url, seconds, connections, applicant),
            "status_baseline": wrk(
                f"http://127.0.0.1:{base_port}/status/{ids['status_id']}", seconds, connections
            ),
            "board": wrk(board_url, seconds, connections, officer),
            "board_baseline": wrk(
                f"http://127.0.0.1:{base_port}/board/startup-support", seconds, connections
            ),
            "status_quiet": wrk(
                f"http://127.0.0.1:{quiet_port}/applications/{ids['status_id']}",
                seconds,
                connections,
                session_cookie(quiet_port, "applicant@bench.kr"),
            ),
        }
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
    summary = {
        "status_rps": results["status"]["rps"],
        "status_baseline_rps": results["status_baseline"]["rps"],
        "status_ratio": round(results["status"]["rps"] / results["status_baseline"]["rps"], 3),
        "status_p99_ms": results["status"]["p99_ms"],
        "board_rps": results["board"]["rps"],
        "board_baseline_rps": results["board_baseline"]["rps"],
        "board_ratio": round(results["board"]["rps"] / results["board_baseline"]["rps"], 3),
        "board_p99_ms": results["board"]["p99_ms"],
        "status_quiet_rps": results["status_quiet"]["rps"],
        # 2 workers busy all the time: each request costs workers / rps of a worker's time
        "observability_us_per_request": round(
            2e6 * (1 / results["status"]["rps"] - 1 / results["status_quiet"]["rps"]), 1
        ),
        "json_log_lines": len(lines),
    }
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
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install -y wrk")
    results = {}
    if options.only in (None, "sqlite"):
        folder = tempfile.mkdtemp(prefix="bench-web-")
        results["sqlite"] = run(
            "sqlite", f"sqlite:///{folder}/bench.sqlite3", options.seconds, options.connections
        )
        shutil.rmtree(folder, ignore_errors=True)
    if options.only in (None, "postgres"):
        made = postgres_database()
        if made is not None:
            url, drop = made
            try:
                results["postgres"] = run("postgres", url, options.seconds, options.connections)
            finally:
                drop()
    cost = observability_cost()
    worst = {
        "status_ratio": min(r["status_ratio"] for r in results.values()),
        "board_ratio": min(r["board_ratio"] for r in results.values()),
        "board_p99_ms": max(r["board_p99_ms"] for r in results.values()),
    }
    print(
        json.dumps(
            {"bench": "web", **worst, **cost, "applications": APPLICATIONS, **results}, ensure_ascii=False
        )
    )


if __name__ == "__main__":
    main()
