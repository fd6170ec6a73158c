"""The web pages' cost in CPU instructions (valgrind's callgrind), the full app against bare Flask running
the same queries: a figure that does not move with the machine's load, unlike bench/web.py's requests/s.

Each page is requested 10 times in process (Flask's test client, after 5 warm-up requests) by the full app
(sign-in, Babel, CSRF, security headers, metrics and JSON logs on, the collector set as
deploy/gunicorn.conf.py sets it) and by bench/web.py's bare Flask baseline, each in a valgrind child counting
only those 10 requests. SQLite, 10,000 applications. Needs valgrind (`apt-get install -y valgrind`); a run
takes a few minutes (three children at a time).

    python bench/web_instructions.py [--pages status,board,deep_key]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PAGES = ("status", "board", "deep_key")
REQUESTS, WARM_UP = 10, 5


def measured(page: str, which: str, ids: dict) -> None:
    """In the valgrind child: `REQUESTS` requests of `page` by the full app or the baseline, counted alone."""
    import gc

    import web
    from web_board import board_queries

    from workflow.app import create_app

    if which == "full":
        app = create_app("dev")
        app.extensions["log_handler"].setStream(open(os.devnull, "w"))  # noqa: SIM115 - until exit
        client = app.test_client()
        email = "applicant@bench.kr" if page == "status" else "officer@bench.kr"
        token = re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").text
        ).group(1)
        client.post("/login", data={"email": email, "password": web.PASSWORD, "csrf_token": token})
        url = f"/applications/{ids['status_id']}" if page == "status" else None
        url = url or "/officer/programs/startup-support" + board_queries(web.APPLICATIONS)[page]
    else:
        client = web.baseline().test_client()
        url = f"/status/{ids['status_id']}" if page == "status" else None
        url = url or "/board/startup-support" + board_queries(web.APPLICATIONS)[page]
    for _ in range(WARM_UP):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)  # signed in, allowed
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)  # as deploy/gunicorn.conf.py's post_worker_init
    subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], capture_output=True, check=True)
    for _ in range(REQUESTS):
        client.get(url)
    subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], capture_output=True, check=True)


def count(page: str, which: str, env: dict, folder: str) -> int:
    out = f"{folder}/callgrind.{page}.{which}"
    subprocess.run(
        ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
         sys.executable, __file__, "--child", page, which],
        env=env, cwd=ROOT, capture_output=True, check=True,
    )  # fmt: skip
    with open(out) as data:
        return int(re.search(r"^totals: (\d+)", data.read(), re.M).group(1))


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        measured(sys.argv[2], sys.argv[3], json.loads(os.environ["BENCH_IDS"]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated, of: " + ", ".join(PAGES))
    pages = [p for p in PAGES if p in parser.parse_args().pages.split(",")]
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is needed: apt-get install -y valgrind")
    import web

    folder = tempfile.mkdtemp(prefix="bench-instructions-")
    try:
        url = f"sqlite:///{folder}/bench.sqlite3"
        ids = web.prepare(url, f"{folder}/uploads")
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": web.BENCH_SECRET, "BASE_URL": "http://127.0.0.1",
               "UPLOAD_DIR": f"{folder}/uploads", "GRANTS_CONFIG": "dev", "LOG_FORMAT": "json",
               "PROMETHEUS_MULTIPROC_DIR": tempfile.mkdtemp(dir=folder), "BENCH_IDS": json.dumps(ids)}  # fmt: skip
        runs = [(page, which) for page in pages for which in ("full", "baseline")]
        with ThreadPoolExecutor(3) as pool:
            counted = dict(zip(runs, pool.map(lambda run: count(*run, env, folder), runs), strict=True))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    summary = {}
    for page in pages:
        full, baseline = counted[page, "full"], counted[page, "baseline"]
        summary[f"{page}_instructions_per_request"] = full // REQUESTS
        summary[f"{page}_baseline_instructions_per_request"] = baseline // REQUESTS
        summary[f"{page}_ratio"] = round(baseline / full, 3)
        print(f"{page}: {full // REQUESTS:,} instructions a request, bare Flask {baseline // REQUESTS:,}, "
              f"ratio {baseline / full:.3f}", flush=True)  # fmt: skip
    print(json.dumps({"bench": "web-instructions", **summary}))


if __name__ == "__main__":
    main()
