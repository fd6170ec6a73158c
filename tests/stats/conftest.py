from tests.web.conftest import app, client, web_people  # noqa: F401  (the web fixtures, for the pages)
