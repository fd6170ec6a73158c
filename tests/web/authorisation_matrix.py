"""The authorisation matrix: every route × every role → the expected status (tests/web/test_authorisation.py
runs it). Codes: 200, 302 (a redirect that is not the sign-in page), "L" (sent to sign in), 400, 403, 404,
409. `POST_SIDE` holds the POST side of GET+POST routes, `CHANGES` the roles whose POST may change the
database, `POST_DATA` what each POST sends."""

from __future__ import annotations

ROLES = (
    "anon applicant other officer other_officer finance auditor admin reviewer1 reviewer2 reviewer3".split()
)


def row(codes: str) -> dict:
    """'L 200 404 ...' in ROLES order."""
    values = codes.split()
    assert len(values) == len(ROLES), codes
    return {role: (value if value == "L" else int(value)) for role, value in zip(ROLES, values, strict=True)}


ALL_200 = row("200 200 200 200 200 200 200 200 200 200 200")
ALL_302 = row("302 302 302 302 302 302 302 302 302 302 302")
SIGNED_IN_200 = row("L 200 200 200 200 200 200 200 200 200 200")
SIGNED_IN_302 = row("L 302 302 302 302 302 302 302 302 302 302")
ADMIN_ONLY = row("L 403 403 403 403 403 403 200 403 403 403")
ADMIN_POST = row("L 403 403 403 403 403 403 302 403 403 403")
AUDIT = row("L 403 403 403 403 403 200 200 403 403 403")
REVIEWERS = "L 403 403 403 403 403 403 403"
FINANCE_READ = row("L 403 403 403 403 200 200 200 403 403 403")
FINANCE_WRITE = row("L 403 403 403 403 302 403 302 403 403 403")

# endpoint: (method, url template, expected by role)
MATRIX = {
    "static": ("GET", "/static/css/site.css", ALL_200),
    "pages.health": ("GET", "/healthz", ALL_200),
    # not ready: no `flask tick` has run in the matrix's database
    # loopback without METRICS_TOKEN (the test client's address); otherwise 404 (tests/ops/test_metrics.py)
    "metrics": ("GET", "/metrics", ALL_200),
    "ops.status": ("GET", "/admin/ops", ADMIN_ONLY),
    "ops.ready": ("GET", "/readyz", row("503 503 503 503 503 503 503 503 503 503 503")),
    "pages.home": ("GET", "/", ALL_200),
    "pages.accessibility": ("GET", "/accessibility", ALL_200),
    "account.login": ("GET", "/login", ALL_200),
    "account.signup": ("GET", "/signup", ALL_200),
    "account.forgot": ("GET", "/password/forgot", ALL_200),
    "account.reset": ("GET", "/password/reset/not-a-token", ALL_200),
    "account.logout": ("POST", "/logout", ALL_302),
    "account.language": ("POST", "/language", ALL_302),
    "account.change_password": ("GET", "/account/password", SIGNED_IN_200),
    "account.profile_page": ("GET", "/account", SIGNED_IN_200),
    # a forged confirmation token is refused with a message on the home page, whoever opens it
    "account.verify": ("GET", "/account/verify/not-a-token", ALL_302),
    "account.resend_verification": ("POST", "/account/verify/resend", SIGNED_IN_302),
    "applicant.programs": ("GET", "/programs", ALL_200),
    "applicant.program": ("GET", "/programs/startup-support", ALL_200),
    # the applicant already has applications in this program: asked first (a page), the others start one
    "applicant.apply": (
        "POST",
        "/programs/startup-support/apply",
        row("L 200 302 302 302 302 302 302 302 302 302"),
    ),
    "applicant.dashboard": ("GET", "/my", SIGNED_IN_200),
    # own application (the applicant's, in pitch review) vs another applicant's
    "applicant.status": ("GET", "/applications/{a}", row("L 200 404 200 404 200 200 200 200 404 404")),
    "applicant.download": (
        "GET",
        "/applications/{a}/files/{file}",
        row("L 200 404 200 404 200 200 200 200 404 404"),
    ),
    # the record of the submission: the owner and staff, not the assigned reviewer (who has their own page)
    "record.submitted": (
        "GET",
        "/applications/{a}/submitted",
        row("L 200 404 200 404 200 200 200 404 404 404"),
    ),
    "record.receipt": ("GET", "/applications/{a}/receipt", row("L 200 404 200 404 200 200 200 404 404 404")),
    # linking a partner: only the owner, and only where the program has partner roles (startup-support has none)
    "members.add": ("POST", "/applications/{a}/members", row("L 404 404 404 404 404 404 404 404 404 404")),
    "applicant.letter": (
        "GET",
        "/applications/{a}/letters/{letter}",
        row("L 200 404 200 404 200 200 200 404 404 404"),
    ),
    # the applicant's draft: only the owner edits; staff who may see it are sent to the status page
    "applicant.edit": ("GET", "/applications/{d}/form", row("L 200 404 302 404 302 302 302 404 404 404")),
    "applicant.autosave": (
        "POST",
        "/applications/{d}/autosave",
        row("L 200 404 409 404 409 409 409 404 404 404"),
    ),
    # a file chosen in the form: the owner without a file is told to choose one; staff cannot edit
    "applicant.upload": (
        "POST",
        "/applications/{d}/uploads/business_plan",
        row("L 400 404 409 404 409 409 409 404 404 404"),
    ),
    "actions.fire": ("POST", "/applications/{a}/fire", row("L 302 404 302 404 302 302 302 302 404 404")),
    "actions.decide": ("POST", "/applications/{a}/decide", row("L 302 404 302 404 302 302 302 302 404 404")),
    "review.inbox": ("GET", "/review/", row(f"{REVIEWERS} 200 200 200")),
    "review.declare": ("GET", "/review/{a}/declare", row(f"{REVIEWERS} 302 200 404")),
    "review.score": ("GET", "/review/{a}", row(f"{REVIEWERS} 200 302 404")),
    "review.pledge": ("GET", "/review/pledge", row(f"{REVIEWERS} 200 200 200")),
    # the reviewer's inline copy of a file: only after the pledge and a declaration of no conflict
    "review.file": ("GET", "/review/{a}/files/{file}", row(f"{REVIEWERS} 200 404 404")),
    "officer.index": ("GET", "/officer/", row("L 403 403 200 200 200 403 200 403 403 403")),
    "officer.board": (
        "GET",
        "/officer/programs/startup-support",
        row("L 403 403 200 404 200 403 200 403 403 403"),
    ),
    "officer.export": (
        "GET",
        "/officer/programs/startup-support/export.csv",
        row("L 403 403 200 404 200 403 200 403 403 403"),
    ),
    "officer.application": (
        "GET",
        "/officer/applications/{a}",
        row("L 403 403 200 404 200 403 200 403 403 403"),
    ),
    "officer.move": ("POST", "/officer/applications/{a}/move", ADMIN_POST),
    "officer.assign": (
        "POST",
        "/officer/applications/{a}/assign",
        row("L 403 403 302 404 403 403 302 403 403 403"),
    ),
    # a reviewer who declared a conflict is replaced by officers and admins (none has here: nothing written)
    "officer.replace": (
        "POST",
        "/officer/applications/{a}/replace",
        row("L 403 403 302 404 403 403 302 403 403 403"),
    ),
    # internal notes: the program's staff who see the board (officers, finance, admins); auditors only read
    "officer.add_note": (
        "POST",
        "/officer/applications/{a}/notes",
        row("L 403 403 302 404 302 403 302 403 403 403"),
    ),
    # bulk actions on the board: the program's officers (a confirmation page, then a results page)
    "officer_bulk.confirm": (
        "POST",
        "/officer/programs/startup-support/bulk",
        row("L 403 403 200 404 403 403 200 403 403 403"),
    ),
    "officer_bulk.run": (
        "POST",
        "/officer/programs/startup-support/bulk/run",
        row("L 403 403 200 404 403 403 200 403 403 403"),
    ),
    # corrections: startup-support's stages name no `corrections:`, so nobody may correct (the allowed
    # path: tests/web/test_corrections.py); who cannot see the application gets 404
    "corrections.correct": (
        "GET",
        "/officer/applications/{a}/correct/application",
        row("L 403 404 403 404 403 403 403 403 404 404"),
    ),
    "auditor.index": ("GET", "/auditor/", AUDIT),
    "auditor.board": ("GET", "/auditor/programs/startup-support", AUDIT),
    "auditor.application": ("GET", "/auditor/applications/{a}", AUDIT),
    "auditor.search": ("GET", "/auditor/search?program=startup-support&actor=officer", AUDIT),
    "auditor.activity": ("GET", "/auditor/programs/startup-support/activity", AUDIT),
    "auditor.rules": ("GET", "/auditor/rules/{sha}", AUDIT),
    "auditor.reads": ("GET", "/auditor/reads", AUDIT),
    "auditor.run": ("GET", "/auditor/runs/{run}", AUDIT),
    # the one auditor POST: it starts a verification run and writes only that run's row
    "auditor.start_verification": (
        "POST",
        "/auditor/verify",
        row("L 403 403 403 403 403 302 302 403 403 403"),
    ),
    "auditor_exports.search_csv": ("GET", "/auditor/search.csv", AUDIT),
    "auditor_exports.history_csv": ("GET", "/auditor/applications/{a}/history.csv", AUDIT),
    "auditor_exports.reads_csv_download": ("GET", "/auditor/reads.csv", AUDIT),
    "auditor_exports.report_pdf": ("GET", "/auditor/applications/{a}/report.pdf", AUDIT),
    "admin.users": ("GET", "/admin/", ADMIN_ONLY),
    "admin.user": ("GET", "/admin/users/{user}", ADMIN_ONLY),
    "admin.rules": ("GET", "/admin/rules", ADMIN_ONLY),
    "admin.grant": ("POST", "/admin/users/{user}/roles", ADMIN_POST),
    "admin.revoke": ("POST", "/admin/users/{officer}/roles/{assignment}/remove", ADMIN_POST),
    "admin.active": ("POST", "/admin/users/{user}/active", ADMIN_POST),
    "admin.invite": ("GET", "/admin/users/new", ADMIN_ONLY),
    "admin.rule_program": ("GET", "/admin/rules/startup-support?version={sha}", ADMIN_ONLY),
    "admin.rule_diagram": ("GET", "/admin/rules/startup-support/diagram.svg", ADMIN_ONLY),
    "admin.rule_file": ("GET", "/admin/rules/startup-support/file?version={sha}", ADMIN_ONLY),
    "admin.rule_diff": ("GET", "/admin/rules/startup-support/diff", ADMIN_ONLY),
    "admin.role_changes": ("GET", "/admin/roles/log", ADMIN_ONLY),
    "admin.import_reviewers": ("GET", "/admin/users/import", ADMIN_ONLY),
    # without a signed preview: refused for the admin too
    "admin.confirm_import": (
        "POST",
        "/admin/users/import/confirm",
        row("L 403 403 403 403 403 403 400 403 403 403"),
    ),
    # the applicant has a password: nothing to send again (a message), for the admin only
    "admin.resend_invitation": ("POST", "/admin/users/{user}/invitation", ADMIN_POST),
    "admin.withdraw_invitation": ("POST", "/admin/users/{user}/invitation/withdraw", ADMIN_POST),
    # a forged invitation link: the same clear page for everyone
    "invitation.accept": (
        "GET",
        "/invitation/not-a-token",
        row("404 404 404 404 404 404 404 404 404 404 404"),
    ),
    # finance (workflow/web/finance.py): finance, auditors and admins read; finance and admins pay
    "finance.index": ("GET", "/finance/", FINANCE_READ),
    "finance.rates": ("GET", "/finance/rates", FINANCE_READ),
    "finance.program": ("GET", "/finance/programs/startup-support", FINANCE_READ),
    "finance.ledger_csv": ("GET", "/finance/programs/startup-support/ledger.csv", FINANCE_READ),
    # no award yet on {a}: finance, auditors and admins are sent to the application itself
    "finance.award": ("GET", "/finance/awards/{a}", row("L 403 403 403 403 302 302 302 403 403 403")),
    # the payment's confirmation page: no award yet on {a}, so finance and admins find nothing
    "finance.pay": ("GET", "/finance/awards/{a}/pay", row("L 403 403 403 403 404 403 404 403 403 403")),
    "finance.recover": ("POST", "/finance/awards/{a}/recover", FINANCE_WRITE),
    # notices (workflow/web/notices.py): everyone their own; officers and admins retry failed notices
    "notices.inbox": ("GET", "/notices/", SIGNED_IN_200),
    "notices.mark_read": ("POST", "/notices/read", SIGNED_IN_302),
    "notices.save_preferences": ("POST", "/notices/preferences", SIGNED_IN_302),
    "notices.mail": ("GET", "/notices/mail", SIGNED_IN_200),
    "notices.failed": ("GET", "/notices/failed", row("L 403 403 200 200 403 403 200 403 403 403")),
    "notices.retry": ("POST", "/notices/failed/retry", row("L 403 403 302 302 403 403 302 403 403 403")),
    # statistics (workflow/web/stats.py): officers their programs, auditors and admins all
    "stats.index": ("GET", "/stats/", row("L 403 403 200 200 403 200 200 403 403 403")),
    "stats.download": (
        "GET",
        "/stats/export/funnel.xlsx?program=startup-support",
        row("L 403 403 200 404 403 200 200 403 403 403"),
    ),
}
# the POST side of GET+POST routes (the GET side is in MATRIX)
POST_SIDE = {
    "account.login": ("/login", ALL_200),
    "account.signup": ("/signup", ALL_200),
    "account.forgot": ("/password/forgot", ALL_200),
    "account.reset": ("/password/reset/not-a-token", ALL_200),
    "account.change_password": ("/account/password", SIGNED_IN_200),
    "account.profile_page": ("/account", SIGNED_IN_200),  # an empty form: refused, nothing written
    "applicant.edit": ("/applications/{d}/form", row("L 200 404 302 404 302 302 302 404 404 404")),
    "review.declare": ("/review/{a}/declare", row(f"{REVIEWERS} 302 302 404")),
    "review.score": ("/review/{a}", row(f"{REVIEWERS} 302 302 404")),
    # reviewer1 and reviewer2 accepted the pledge already (the page again); reviewer3 accepts it now
    "review.pledge": ("/review/pledge", row(f"{REVIEWERS} 200 200 302")),
    "finance.pay": ("/finance/awards/{a}/pay", FINANCE_WRITE),
    "corrections.correct": (
        "/officer/applications/{a}/correct/application",
        row("L 403 404 403 404 403 403 403 403 404 404"),
    ),
    "admin.invite": ("/admin/users/new", ADMIN_POST),
    # no file chosen: the form again with the error
    "admin.import_reviewers": ("/admin/users/import", row("L 403 403 403 403 403 403 400 403 403 403")),
    "invitation.accept": ("/invitation/not-a-token", row("404 404 404 404 404 404 404 404 404 404 404")),
    # exchange rates are global: finance of some programs reads them, only global finance or admin records
    "finance.rates": ("/finance/rates", row("L 403 403 403 403 403 403 302 403 403 403")),
}
# endpoint (":POST" for a POST_SIDE entry) → the roles whose POST may change the database
CHANGES = {
    "account.language": set(ROLES[1:]),  # the signed-in user's language is kept
    "account.logout": set(ROLES[1:]),  # the session generation is bumped
    "applicant.apply": set(ROLES[1:]),
    "applicant.autosave": {"applicant"},
    "applicant.edit:POST": {"applicant"},
    "review.declare:POST": {"reviewer2"},
    "review.score:POST": {"reviewer1"},
    "review.pledge:POST": {"reviewer3"},
    "officer.move": {"admin"},
    "officer.add_note": {"officer", "finance", "admin"},
    "auditor.start_verification": {"auditor", "admin"},
    "admin.grant": {"admin"},
    "admin.revoke": {"admin"},
    "admin.invite:POST": {"admin"},
    "finance.rates:POST": {"admin"},
    "notices.mark_read": {"applicant", "officer"},  # the only ones with unread notices (a submission)
    "notices.save_preferences": set(ROLES[1:]),
}
POST_DATA = {
    "account.language": {"lang": "en", "next": "/"},
    "actions.fire": {"trigger": "select"},
    "actions.decide": {"decision": "selection", "outcome": "select"},
    "officer.move": {"to_state": "screening", "reason": "정정"},
    "officer.replace": {"replaces": "1", "reviewer_id": "2"},
    "officer.add_note": {"note": "내부 메모"},
    "members.add": {"member-email": "other@test.kr", "member-relation": "co_applicant"},
    # not a step the application is in: every role is refused or told so, nothing written
    "officer_bulk.confirm": {"action": "decide:selection:select", "application_id": "1"},
    "officer_bulk.run": {"action": "decide:selection:select", "item": "1:1"},
    "corrections.correct": {"company_name": "정정", "reason": "정정"},
    "admin.grant": {"role": "officer", "program_key": "startup-support"},
    "admin.active": {"active": "1"},
    "admin.invite": {"name": "초대", "email": "invited@test.kr", "language": "ko", "roles": "reviewer|"},
    "applicant.autosave": {"company_name": "테스트"},
    "finance.recover": {"amount": "1000"},
    "finance.pay": {"reference": "NH-1"},
    "applicant.edit": {"company_name": "테스트"},
    "review.declare": {"declaration": "none"},
    "review.pledge": {"accept": "y"},
    "review.score": {"score_innovation": "20", "score_feasibility": "30", "score_regional_impact": "20"},
    "finance.rates": {"currency": "USD", "rate": "1385.20", "effective_on": "2026-05-04"},
}
VERSIONED = {
    "actions.fire": "a",
    "actions.decide": "a",
    "applicant.autosave": "d",
    "applicant.edit": "d",
    "applicant.upload": "d",
}
