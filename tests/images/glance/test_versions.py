"""GET /: 300 Multiple Choices with the version list for API clients; browsers keep the console."""

from django.test import Client


def test_api_clients_get_300_with_the_versions(db):
    response = Client().get("/", headers={"Accept": "application/json"})
    assert response.status_code == 300
    assert [version["id"] for version in response.json()["versions"]] == ["v2.1", "v2", "v1"]


def test_clients_that_name_no_type_get_the_versions_too(db):
    assert Client().get("/").status_code == 300


def test_browsers_are_sent_to_the_console(db):
    response = Client().get("/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 302 and response["Location"].startswith("/console/")
