"""The console's object storage pages: buckets created and deleted from forms, objects listed, downloaded and
deleted, the uploader wired to the API; everything escaped, every refusal explained."""

import io
import json
import re

import pytest
from django.test import Client

from obs import services
from obs.models import Bucket, StoredObject


@pytest.fixture
def console(tenant_a):
    def build(user=None):
        client = Client()
        client.force_login(user or tenant_a.admin)
        return client

    return build


def test_the_navigation_leads_to_object_storage(console):
    page = console().get("/console/images/").content.decode()
    assert 'href="/console/obs/"' in page and "Object storage" in page


def test_a_bucket_is_created_listed_and_deleted_from_the_console(console):
    client = console()
    created = client.post("/console/obs/", {"name": "console-bucket"})
    assert created.status_code == 302 and created["Location"] == "/console/obs/buckets/console-bucket"
    page = client.get("/console/obs/").content.decode()
    assert 'data-bucket="console-bucket"' in page
    deleted = client.post("/console/obs/buckets/console-bucket/delete", follow=True)
    assert "Bucket console-bucket deleted." in deleted.content.decode()
    assert not Bucket.objects.exists()


def test_a_refused_bucket_name_is_explained(console):
    response = console().post("/console/obs/", {"name": "Bad_Name"}, follow=True)
    assert "A bucket name has 3 to 63 characters" in response.content.decode()
    assert not Bucket.objects.exists()


def test_the_bucket_page_lists_objects_escaped_with_download_and_delete(console, admin_a, bucket_a):
    key = 'x/<script>alert("k")</script>.txt'
    services.put_object(admin_a, bucket=bucket_a.name, key=key, stream=io.BytesIO(b"1234"), size=4)
    page = console().get("/console/obs/buckets/alpha-bucket").content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;k&quot;)&lt;/script&gt;.txt" in page
    assert 'href="/v1/obs/buckets/alpha-bucket/objects/x/%3Cscript%3Ealert(%22k%22)%3C/script%3E.txt"' in page
    assert 'data-testid="delete-object"' in page


def test_the_download_link_streams_the_object_with_the_session(console, admin_a, bucket_a):
    services.put_object(admin_a, bucket=bucket_a.name, key="notes.txt", stream=io.BytesIO(b"hello"), size=5)
    response = console().get("/v1/obs/buckets/alpha-bucket/objects/notes.txt")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"hello"
    assert response["Content-Disposition"].startswith("attachment")


def test_an_object_is_deleted_from_the_console(console, admin_a, bucket_a):
    services.put_object(admin_a, bucket=bucket_a.name, key="old.log", stream=io.BytesIO(b"x"), size=1)
    response = console().post("/console/obs/buckets/alpha-bucket/objects/delete", {"key": "old.log"}, follow=True)
    assert "Object alpha-bucket:old.log deleted." in response.content.decode()
    assert not StoredObject.objects.exists()


def test_the_object_list_pages_and_filters(console, admin_a, bucket_a):
    for number in range(55):
        services.put_object(admin_a, bucket=bucket_a.name, key=f"logs/{number:03d}", stream=io.BytesIO(b""), size=0)
    client = console()
    first = client.get("/console/obs/buckets/alpha-bucket").content.decode()
    assert first.count('data-testid="object-row"') == 50
    next_url = re.search(r'href="([^"]+)" data-testid="next-page"', first).group(1).replace("&amp;", "&")
    second = client.get(next_url).content.decode()
    assert second.count('data-testid="object-row"') == 5 and 'data-testid="first-page"' in second
    filtered = client.get("/console/obs/buckets/alpha-bucket", {"prefix": "logs/05"}).content.decode()
    assert filtered.count('data-testid="object-row"') == 5


def test_the_uploader_gets_the_api_csrf_token_part_size_and_translated_strings(console, bucket_a):
    page = console().get("/console/obs/buckets/alpha-bucket", {"part_size": str(5 * 1024 * 1024)}).content.decode()
    assert 'data-uploads-url="/v1/obs/uploads"' in page and 'data-part-size="5242880"' in page
    assert re.search(r'data-csrf-token="[^"]{32,}"', page)
    strings = json.loads(
        re.search(r'<script id="obs-uploader-strings" type="application/json">(.*?)</script>', page, re.S).group(1)
    )
    assert "%(percent)s" in strings["progress"] and "%(stored)s" in strings["resuming"]
    assert "onclick" not in page.split('id="uploader"')[1]
    # A part size outside what the API accepts is not handed to the script.
    odd = console().get("/console/obs/buckets/alpha-bucket", {"part_size": "1"})
    assert 'data-part-size=""' in odd.content.decode()


def test_the_scripts_are_static_files_of_the_project():
    from django.contrib.staticfiles import finders

    for name in ("uploader.js", "sha256.js", "sha256-worker.js", "obs.js", "obs.css"):
        assert finders.find(f"obs/{name}"), name


def test_a_user_without_object_storage_rights_gets_an_explanation(console, tenant_a, bucket_a):
    response = console(tenant_a.reader).get("/console/obs/")
    assert response.status_code == 403
    assert "no permission to use object storage" in response.content.decode()


def test_another_accounts_bucket_page_is_not_found(console, tenant_b, bucket_a):
    response = console(tenant_b.admin).get("/console/obs/buckets/alpha-bucket")
    assert response.status_code == 404


def test_the_bucket_list_answers_in_a_fixed_number_of_queries(console, admin_a, django_assert_max_num_queries):
    for number in range(5):
        services.create_bucket(admin_a, name=f"bucket-{number}")
    client = console()
    client.get("/console/obs/")
    with django_assert_max_num_queries(12):
        assert client.get("/console/obs/").status_code == 200
