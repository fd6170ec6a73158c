"""axe-core on the pages the journeys do not pass through: staff pages, errors, English versions."""

from __future__ import annotations

from tests.e2e.conftest import Camera, login
from tests.factories import reviewed_startup
from tests.web.conftest import PASSWORD
from workflow.services.files import FileStore


def test_staff_and_error_pages_have_no_serious_violations(live_app, new_page, tmp_path):
    app, people, base = live_app
    workflow = app.extensions["workflow"]
    app_id = reviewed_startup(workflow, people, FileStore(tmp_path / "uploads"))
    camera = Camera("5-other-pages")
    visits = {
        None: ["/", "/programs", "/accessibility", "/login", "/signup", "/password/forgot", "/no-such-page"],
        "auditor@test.kr": [
            "/auditor/",
            "/auditor/programs/startup-support",
            f"/auditor/applications/{app_id}",
        ],
        "admin@test.kr": [
            "/admin/",
            f"/admin/users/{people.officer.id}",
            "/admin/rules",
            f"/officer/applications/{app_id}",
        ],
        "reviewer1@test.kr": ["/review/", f"/review/{app_id}"],
        "applicant@test.kr": ["/my", f"/applications/{app_id}"],
    }
    # in English: Korean pages get the same check in every role journey and in test_phone.py
    for who, paths in visits.items():
        page = new_page("en")
        if who:
            login(page, base, who, PASSWORD)
        page.goto(base + "/")
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()
        for path in paths:
            page.goto(base + path)
            camera.shot(page, f"en-{(who or 'anonymous').split('@')[0]}{path.replace('/', '_')}")
