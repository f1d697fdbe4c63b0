"""GET /v2/cloudimages (the SDK's list_images): every filter the console uses, sorting, marker pages, bad input."""

from datetime import UTC, datetime

import pytest

from images.choices import ImageStatus, ImageType, Visibility
from tests.factories import make_image, project_of, share

LIST = "/v2/cloudimages"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def world(tenant_a, tenant_b, public_catalog):
    """Three private images of A, two of B's images shared with A, one private image of B, a market image."""
    a, b = tenant_a.project, tenant_b.project
    images = {
        "web-1": make_image(
            a,
            name="web-1",
            os_type="Linux",
            platform="Ubuntu",
            architecture="x86",
            tags={"env": "prod"},
            support_flags={"kvm": True},
            size=300,
            created_at=at("2026-01-10T10:00:00"),
        ),
        "db-1": make_image(
            a,
            name="db-1",
            os_type="Windows",
            platform="Windows",
            architecture="arm",
            status=ImageStatus.QUEUED,
            tags={"env": "dev"},
            size=100,
            created_at=at("2026-02-10T10:00:00.250000"),
        ),
        "web-2": make_image(
            a,
            name="web-2",
            os_type="Linux",
            platform="CentOS",
            support_flags={"kvm": False},
            size=200,
            created_at=at("2026-03-10T10:00:00"),
        ),
        "b-accepted": make_image(b, name="b-accepted"),
        "b-pending": make_image(b, name="b-pending"),
        "b-private": make_image(b, name="b-private"),
        "market": make_image(
            project_of(public_catalog), name="market-1", image_type=ImageType.MARKET, visibility=Visibility.PUBLIC
        ),
    }
    share(images["b-accepted"], a, "accepted")
    share(images["b-pending"], a, "pending")
    return images


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [image["name"] for image in response.json()["images"]]


def private(**params) -> dict:
    return {"__imagetype": "private", "sort_key": "name", "sort_dir": "asc", **params}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (private(), ["db-1", "web-1", "web-2"]),
        (private(name="web-1"), ["web-1"]),
        (private(__os_type="Windows"), ["db-1"]),
        (private(__os_type="Linux"), ["web-1", "web-2"]),
        (private(__platform="CentOS"), ["web-2"]),
        (private(status="queued"), ["db-1"]),
        (private(status="active"), ["web-1", "web-2"]),
        (private(architecture="arm"), ["db-1"]),
        (private(tag="env=prod"), ["web-1"]),
        (private(tag="env.dev"), ["db-1"]),
        (private(tag="env"), ["db-1", "web-1"]),
        (private(tag="env=staging"), []),
        (private(__support_kvm="true"), ["web-1"]),
        (private(__support_kvm="false"), ["web-2"]),
        (private(visibility="private"), ["db-1", "web-1", "web-2"]),
        ({"__imagetype": "shared", "sort_key": "name"}, ["b-pending", "b-accepted"]),
        ({"visibility": "shared", "sort_key": "name", "sort_dir": "asc"}, ["b-accepted", "b-pending"]),
        ({"member_status": "accepted"}, ["b-accepted"]),
        ({"member_status": "pending"}, ["b-pending"]),
        ({"member_status": "rejected"}, []),
        ({"__imagetype": "market"}, ["market-1"]),
    ],
)
def test_list_filters(api_a, world, params, expected):
    assert names(api_a.get(LIST, params)) == expected


@pytest.mark.parametrize(
    ("created_at", "expected"),
    [
        ("gt:2026-02-01T00:00:00Z", ["db-1", "web-2"]),
        ("lt:2026-02-01T00:00:00Z", ["web-1"]),
        # Times are shown to the second: the second an image was created in matches it whole.
        ("eq:2026-02-10T10:00:00Z", ["db-1"]),
        ("neq:2026-02-10T10:00:00Z", ["web-1", "web-2"]),
        ("gte:2026-02-10T10:00:00Z", ["db-1", "web-2"]),
        ("gt:2026-02-10T10:00:00Z", ["web-2"]),
        ("lte:2026-02-10T10:00:00Z", ["db-1", "web-1"]),
        ("lt:2026-02-10T10:00:00Z", ["web-1"]),
        ("gte:2026-03-10 10:00:00", ["web-2"]),
    ],
)
def test_created_at_filter_operators(api_a, world, created_at, expected):
    assert names(api_a.get(LIST, private(created_at=created_at))) == expected


def test_id_filter_finds_one_visible_image(api_a, world):
    response = api_a.get(LIST, {"id": str(world["db-1"].id)})
    assert names(response) == ["db-1"]
    assert api_a.get(LIST, {"id": str(world["b-private"].id)}).json()["images"] == []


def test_gold_lists_the_public_catalog(api_a, world):
    images = api_a.get(LIST, {"__imagetype": "gold", "limit": 1000}).json()["images"]
    assert len(images) == 132
    assert {image["__imagetype"] for image in images} == {"gold"}
    assert {image["visibility"] for image in images} == {"public"}


def test_visibility_public_lists_catalog_and_market(api_a, world):
    images = api_a.get(LIST, {"visibility": "public", "limit": 1000}).json()["images"]
    assert len(images) == 133
    assert "market-1" in {image["name"] for image in images}


def test_image_info_types_are_the_sdks(api_a, world):
    image = next(i for i in api_a.get(LIST, private(name="web-1")).json()["images"])
    assert image["__imagetype"] == "private" and image["owner"] == world["web-1"].owner_id
    assert image["tags"] == ["env=prod"]
    assert image["__support_kvm"] == "true"
    assert image["__image_size"] == "300" and image["size"] == 300
    assert isinstance(image["min_disk"], int) and isinstance(image["protected"], bool)
    assert isinstance(image["__system_support_market"], bool)
    assert image["created_at"] == "2026-01-10T10:00:00Z"
    assert image["self"] == f"/v2/images/{world['web-1'].id}"


def test_shared_image_is_shown_as_shared(api_a, world):
    image = api_a.get(LIST, {"name": "b-accepted"}).json()["images"][0]
    assert image["__imagetype"] == "shared" and image["visibility"] == "shared"


# --- sorting -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sort_key": "name", "sort_dir": "asc"}, ["db-1", "web-1", "web-2"]),
        ({"sort_key": "name", "sort_dir": "desc"}, ["web-2", "web-1", "db-1"]),
        ({"sort_key": "size", "sort_dir": "asc"}, ["db-1", "web-2", "web-1"]),
        ({}, ["web-2", "db-1", "web-1"]),  # newest first by default
        ({"sort_dir": "asc"}, ["web-1", "db-1", "web-2"]),
        ({"sort_key": "name", "sort_dir": "ASC"}, ["db-1", "web-1", "web-2"]),
    ],
)
def test_sort_key_and_direction(api_a, world, params, expected):
    assert names(api_a.get(LIST, {"__imagetype": "private", **params})) == expected


def test_sort_by_status_breaks_ties_by_id(api_a, world):
    listed = api_a.get(LIST, {"__imagetype": "private", "sort_key": "status", "sort_dir": "desc"}).json()["images"]
    assert [i["status"] for i in listed] == ["queued", "active", "active"]
    assert listed[1]["id"] > listed[2]["id"]


def test_sort_by_id(api_a, world):
    listed = [
        i["id"]
        for i in api_a.get(LIST, {"__imagetype": "private", "sort_key": "id", "sort_dir": "asc"}).json()["images"]
    ]
    assert listed == sorted(str(world[name].id) for name in ("web-1", "db-1", "web-2"))


# --- marker pages ------------------------------------------------------------------------------------------------


def walk(client, params: dict) -> list[str]:
    """Every id of the list, page after page, following page_info.next_marker."""
    seen, marker = [], None
    for _ in range(1000):
        response = client.get(LIST, {**params, **({"marker": marker} if marker else {})})
        assert response.status_code == 200, response.content
        body = response.json()
        seen += [image["id"] for image in body["images"]]
        if "page_info" not in body:
            return seen
        marker = body["page_info"]["next_marker"]
        assert marker == seen[-1]
    raise AssertionError("the pages never ended")


@pytest.fixture
def ties(tenant_a):
    """25 private images sharing one name, one size and one creation time: only the id tells them apart."""
    moment = at("2026-05-05T05:05:05")
    return [str(make_image(tenant_a.project, name="same", size=7, created_at=moment).id) for _ in range(25)]


@pytest.mark.parametrize(
    "sort",
    [
        {},
        {"sort_dir": "asc"},
        {"sort_key": "name"},
        {"sort_key": "name", "sort_dir": "asc"},
        {"sort_key": "size", "sort_dir": "asc"},
        {"sort_key": "status"},
        {"sort_key": "id"},
        {"sort_key": "disk_format", "sort_dir": "asc"},
        {"sort_key": "container_format"},
    ],
)
@pytest.mark.parametrize("limit", [1, 4, 25])
def test_pages_walk_ties_without_duplicates_or_gaps(api_a, ties, sort, limit):
    walked = walk(api_a, {"__imagetype": "private", "limit": limit, **sort})
    assert len(walked) == len(set(walked)) == 25
    assert set(walked) == set(ties)
    assert walked == [
        i["id"] for i in api_a.get(LIST, {"__imagetype": "private", "limit": 100, **sort}).json()["images"]
    ]


def test_pages_walk_the_whole_catalog(api_a, world):
    # Public names repeat across architectures, so the name sort has ties too.
    walked = walk(api_a, {"limit": 17, "sort_key": "name", "sort_dir": "asc"})
    everything = [
        i["id"] for i in api_a.get(LIST, {"limit": 1000, "sort_key": "name", "sort_dir": "asc"}).json()["images"]
    ]
    assert walked == everything and len(set(walked)) == len(walked) == 132 + 1 + 3 + 2


def test_next_marker_only_when_there_is_a_next_page(api_a, world):
    full = api_a.get(LIST, private(limit=3)).json()
    assert "page_info" not in full and len(full["images"]) == 3
    first = api_a.get(LIST, private(limit=2)).json()
    assert first["page_info"] == {"next_marker": first["images"][1]["id"]}
    last = api_a.get(LIST, private(limit=2, marker=first["page_info"]["next_marker"])).json()
    assert [i["name"] for i in last["images"]] == ["web-2"] and "page_info" not in last


def test_default_page_is_500(api_a, tenant_a, public_catalog):
    body = api_a.get(LIST).json()
    assert len(body["images"]) == 132 and "page_info" not in body


# --- bad input --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "mentions"),
    [
        ({"__imagetype": "golden"}, "__imagetype"),
        ({"__os_type": "linux"}, "__os_type"),
        ({"__platform": "Plan9"}, "__platform"),
        ({"status": "running"}, "status"),
        ({"visibility": "everyone"}, "visibility"),
        ({"architecture": "mips"}, "architecture"),
        ({"member_status": "maybe"}, "member_status"),
        ({"__support_kvm": "yes"}, "__support_kvm"),
        ({"id": "not-a-uuid"}, "id"),
        ({"marker": "not-a-uuid"}, "marker"),
        ({"marker": "2b6d8f0e-3d1c-4c4e-9a43-5b0f3d1d7a10"}, "marker"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "abc"}, "limit"),
        ({"limit": "-5"}, "limit"),
        ({"sort_key": "owner"}, "sort_key"),
        ({"sort_dir": "up"}, "sort_dir"),
        ({"created_at": "gt:yesterday"}, "created_at"),
        ({"created_at": "after:2026-01-01T00:00:00Z"}, "created_at"),
        ({"created_at": "gt:2026-13-45T10:00:00Z"}, "created_at"),
        ({"updated_at": "2026-01-01T00:00:00Z"}, "updated_at"),
    ],
)
def test_bad_input_is_a_clear_400(api_a, world, params, mentions):
    response = api_a.get(LIST, params)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "IMG.0001" and mentions in error["message"]


def test_marker_of_an_image_the_caller_cannot_see_is_refused(api_a, world):
    response = api_a.get(LIST, {"marker": str(world["b-private"].id)})
    assert response.status_code == 400
    assert str(world["b-private"].id) in response.json()["error"]["message"]


def test_marker_outside_the_filtered_list_is_refused(api_a, world):
    response = api_a.get(LIST, private(marker=str(world["b-accepted"].id)))
    assert response.status_code == 400 and response.json()["error"]["code"] == "IMG.0001"
