"""Steps every browser test takes through the console."""

from playwright.sync_api import expect

from tests.factories import PASSWORD


def sign_in(page, username: str) -> None:
    """Signs in through the login form and waits for the console's navigation."""
    page.goto("/console/login")
    page.get_by_test_id("username").fill(username)
    page.get_by_test_id("password").fill(PASSWORD)
    page.get_by_test_id("sign-in").click()
    expect(page.get_by_test_id("sidenav")).to_be_visible()
    # htmx and the console script bind their handlers when the document is loaded: a slow machine can show the
    # page before that, and a control changed then would go unheard.
    page.wait_for_load_state("load")
