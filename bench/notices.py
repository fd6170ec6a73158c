"""Notices throughput against plain baselines measured in the same run.

PDF: the one-page award letter with a table of amounts (workflow.notices.letters, embedded Korean font)
against a reportlab script drawing the same lines, table and font directly on a canvas.

E-mail: outbox rows → relay (rows leased to rq, enqueued in batches of ids) → rq worker (SimpleWorker,
in this process) → local SMTP server (aiosmtpd in its own process), with every database record (leases,
attempts, notification, delivery sending/sent, outbox sent) and the MIME message built for each e-mail,
against a plain smtplib loop sending the same messages (built before its clock starts) over one
connection, and over one connection per message.

    python bench/notices.py [N_PDF] [N_MAIL]     (PostgreSQL from BENCH_POSTGRES_URL, else SQLite;
                                                  Redis database 2 from BENCH_REDIS_URL, flushed)
The last line is one JSON object.
"""

from __future__ import annotations

import json
import os
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.lib.utils import simpleSplit  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402
from sqlalchemy import insert, select, text  # noqa: E402

from workflow.db import make_engine  # noqa: E402
from workflow.notices.letters import BOLD, REGULAR, LetterContent, register_fonts, render_letter  # noqa: E402

POSTGRES_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2")
NOW = datetime(2026, 5, 4, 1, 0, tzinfo=UTC)

LETTER = LetterContent(
    lang="ko",
    agency="강원 디지털헬스케어 혁신클러스터 사업단",
    agency_address="강원특별자치도 원주시 혁신로 60",
    document_no="혁신사업단-2026-000123-7",
    date_text="2026. 5. 4.",
    recipient="헬스온 주식회사 한대표 귀하",
    subject="[디지털헬스케어 창업지원] 지원 대상 선정 및 교부 결정 (#123)",
    paragraphs=[
        "1. 귀하의 무궁한 발전을 기원합니다.",
        "2. 「디지털헬스케어 창업지원」에 신청하신 신청서(#123)가 지원 대상으로 선정되어 아래와 같이 "
        "지원금 교부를 결정하였음을 알려 드립니다.",
        "  가. 지원금: 45,000,000원",
        "  나. 지급 방법: 협약 체결 후 아래 표의 차수별로 지급",
        "3. 협약 정보를 입력하고 협약에 서명해 주시기 바랍니다. (https://grants.example.kr/applications/123)",
        "끝.",
    ],
    signatory="사업단장",
    money_rows=[("지원금", "45,000,000원"), ("1차", "22,500,000원 · 예정"), ("2차", "22,500,000원 · 예정")],
)


def baseline_pdf(c: LetterContent) -> bytes:
    """The same letter drawn directly: fixed positions, reportlab's simpleSplit, same fonts."""
    width, height = A4
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1, initialFontName=REGULAR)
    y = height - 22 * mm
    pdf.setFont(BOLD, 17)
    pdf.drawCentredString(width / 2, y - 17, c.agency)
    pdf.setFont(REGULAR, 8.5)
    pdf.drawCentredString(width / 2, y - 34.5, c.agency_address)
    y -= 42
    pdf.line(22 * mm, y, width - 22 * mm, y)
    y -= 14
    for label, value in (
        ("문서번호", c.document_no),
        ("시행일자", c.date_text),
        ("수신", c.recipient),
        ("제목", c.subject),
    ):
        pdf.setFont(BOLD, 10.5)
        pdf.drawString(22 * mm, y - 10.5, label)
        pdf.setFont(REGULAR, 10.5)
        pdf.drawString(46 * mm, y - 10.5, value)
        y -= 16.3
    for paragraph in c.paragraphs:
        for line in simpleSplit(paragraph, REGULAR, 10.5, width - 44 * mm):
            pdf.drawString(22 * mm, y - 10.5, line)
            y -= 16.3
    for label, value in c.money_rows:
        pdf.line(22 * mm, y, width - 22 * mm, y)
        pdf.setFont(BOLD, 10)
        pdf.drawString(25 * mm, y - 20, label)
        pdf.setFont(REGULAR, 10)
        pdf.drawRightString(width - 25 * mm, y - 20, value)
        y -= 8 * mm
    pdf.setFont(BOLD, 14)
    pdf.drawCentredString(width / 2, y - 40, f"{c.agency} {c.signatory}")
    pdf.setFont(REGULAR, 8.5)
    pdf.drawCentredString(width / 2, 12 * mm, "1/1")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def best_rate(function, n: int, rounds: int = 3) -> float:
    best = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(n):
            function()
        best = max(best, n / (time.perf_counter() - start))
    return best


def bench_pdf(n: int) -> dict:
    register_fonts()
    render_letter(LETTER), baseline_pdf(LETTER)  # warm up both
    ours = best_rate(lambda: render_letter(LETTER), n)
    base = best_rate(lambda: baseline_pdf(LETTER), n)
    return {
        "pdf_per_s": round(ours, 1),
        "pdf_baseline_per_s": round(base, 1),
        "pdf_ratio": round(ours / base, 3),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_smtp() -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"]
    )
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server, port
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("SMTP sink did not start")


def database() -> tuple[str, str, object]:
    try:
        admin = make_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=None, pool_size=1)
        name = f"bench_notices_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        return "postgresql", POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", (admin, name)
    except Exception:  # noqa: BLE001 - no PostgreSQL: the embedded database
        path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
        return "sqlite", f"sqlite:///{path}", None


def bench_email(n: int) -> dict:
    from redis import Redis
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer

    from workflow.app import create_app
    from workflow.models import Notification, OutboxMessage, User
    from workflow.notices.mail import build_message
    from workflow.schema import upgrade
    from workflow.services.users import create_user

    kind, url, cleanup = database()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    server, port = start_smtp()
    Redis.from_url(REDIS_URL).flushdb()
    app = create_app(
        "dev", {"DATABASE_URL": url, "REDIS_URL": REDIS_URL, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port}
    )
    workflow = app.extensions["workflow"]
    workflow.clock = lambda: NOW
    service = app.extensions["notices"]
    relay = service.relay
    try:
        with workflow.db.begin() as connection:
            applicant = create_user(connection, "applicant@bench.kr", "한대표", roles=[])
        from workflow.engine.actors import load_actor

        with workflow.db.connect() as connection:
            actor = load_actor(connection, applicant)
        created = workflow.create("startup-support", actor, {"company_name": "헬스온 주식회사"})
        assert created.ok, created.reason("en")
        Redis.from_url(REDIS_URL).flushdb()
        with workflow.db.begin() as connection:
            template = {
                "application_id": created.application_id,
                "event_seq": 1,
                "notice": "received",
                "template": "received",
                "recipients": ["applicant"],
                "channels": ["inbox", "email"],
                "payload": {
                    "trigger": "submit",
                    "from": "draft",
                    "to": "screening",
                    "reason": None,
                    "statutory": False,
                },
                "status": "pending",
                "attempts": 0,
                "created_at": NOW,
            }
            connection.execute(insert(OutboxMessage), [template] * n)
            ids = list(
                connection.execute(
                    select(OutboxMessage.id).where(OutboxMessage.status == "pending")
                ).scalars()
            )
            if kind == "postgresql":
                connection.execute(text("ANALYZE"))
        start = time.perf_counter()
        relay.enqueue(ids)
        with app.app_context():
            SimpleWorker([relay.queue()], connection=relay.redis(), serializer=JSONSerializer).work(
                burst=True, logging_level="WARNING"
            )
        ours_seconds = time.perf_counter() - start
        with workflow.db.connect() as connection:
            sent = connection.execute(
                select(text("count(*)")).select_from(OutboxMessage).where(OutboxMessage.status == "sent")
            ).scalar()
            rows = connection.execute(
                select(Notification.subject, Notification.body, User.name, User.email).join(User)
            ).all()
        assert sent == n, f"only {sent} of {n} sent"
        messages = [
            build_message(
                service.settings,
                to_name=row.name,
                to_address=row.email,
                subject=row.subject,
                text=row.body,
                html=f"<p>{row.body}</p>",
                msg_id=f"<baseline-{i}@bench>",
                sent_at=NOW,
            )
            for i, row in enumerate(rows)
        ]
        start = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port) as client:
            for message in messages:
                client.send_message(message)
        one_connection = time.perf_counter() - start
        start = time.perf_counter()
        for message in messages:
            with smtplib.SMTP("127.0.0.1", port) as client:
                client.send_message(message)
        per_message = time.perf_counter() - start
        two_workers = _two_workers(workflow, relay, template, n, url, port)
    finally:
        relay.redis().flushdb()
        relay.redis().close()
        workflow.db.dispose()
        server.terminate()
        server.wait(10)
        if cleanup is not None:
            admin, name = cleanup
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    return {
        "database": kind,
        "email_per_s": round(n / ours_seconds, 1),
        "email_baseline_per_s": round(n / one_connection, 1),
        "email_baseline_connect_each_per_s": round(n / per_message, 1),
        "email_ratio": round(one_connection / ours_seconds, 3),
        "email_ratio_vs_connect_each": round(per_message / ours_seconds, 3),
        "email_per_s_2_workers": round(n / two_workers, 1),
        "email_ratio_2_workers": round(one_connection / two_workers, 3),
    }


def _two_workers(workflow, relay, template: dict, n: int, url: str, port: int) -> float:
    """The same n notices through two `flask worker --no-fork` processes (started before the clock runs)."""
    from workflow.models import OutboxMessage

    with workflow.db.begin() as connection:
        connection.execute(insert(OutboxMessage), [template] * n)
        ids = list(
            connection.execute(select(OutboxMessage.id).where(OutboxMessage.status == "pending")).scalars()
        )
    env = {
        **os.environ,
        "GRANTS_CONFIG": "dev",
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "RQ_LOG_LEVEL": "WARNING",
    }
    flask = str(Path(sys.executable).parent / "flask")
    root = Path(__file__).resolve().parent.parent
    workers = [
        subprocess.Popen([flask, "--app", "wsgi", "worker", "--no-fork"], cwd=root, env=env) for _ in range(2)
    ]
    try:
        time.sleep(3)  # both workers listening before the clock starts
        start = time.perf_counter()
        relay.enqueue(ids)
        query = (
            select(text("count(*)"))
            .select_from(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.status == "sent")
        )
        while True:
            with workflow.db.connect() as connection:
                if connection.execute(query).scalar() == n:
                    return time.perf_counter() - start
            time.sleep(0.02)
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(20)


def main() -> None:
    n_pdf = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    n_mail = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    pdf = bench_pdf(n_pdf)
    print(
        f"PDF letters: {pdf['pdf_per_s']}/s, baseline canvas script {pdf['pdf_baseline_per_s']}/s, ratio {pdf['pdf_ratio']}"
    )
    email = bench_email(n_mail)
    print(
        f"E-mails ({email['database']}): relay + rq worker + SMTP {email['email_per_s']}/s; smtplib loop "
        f"{email['email_baseline_per_s']}/s on one connection (ratio {email['email_ratio']}), "
        f"{email['email_baseline_connect_each_per_s']}/s connecting each time (ratio {email['email_ratio_vs_connect_each']}); "
        f"two worker processes {email['email_per_s_2_workers']}/s (ratio {email['email_ratio_2_workers']})"
    )
    print(json.dumps({"bench": "notices", **pdf, **email, "n_pdf": n_pdf, "n_mail": n_mail}))


if __name__ == "__main__":
    main()
