"""The read selectors on their own: permission before scope, keyset pages, limits and sort keys."""

import pytest
from django.http import QueryDict

from core.errors import ImsError
from iam.authz import PermissionDenied
from images import selectors
from tests.factories import actor, make_image, make_user


def query(**params) -> QueryDict:
    data = QueryDict(mutable=True)
    data.update(params)
    return data


def test_list_without_permission_is_refused_not_empty(tenant_a):
    nobody = make_user(tenant_a.account, "alpha-nobody")
    with pytest.raises(PermissionDenied):
        selectors.list_images(actor(nobody), query())


def test_get_image_of_another_tenant_is_not_found(tenant_a, tenant_b):
    image = make_image(tenant_b.project)
    with pytest.raises(ImsError) as caught:
        selectors.get_image(actor(tenant_a.admin), image.id)
    assert caught.value.status == 404


def test_get_image_without_permission_is_forbidden(tenant_a):
    image = make_image(tenant_a.project)
    with pytest.raises(PermissionDenied):
        selectors.get_image(actor(make_user(tenant_a.account, "alpha-nobody")), image.id)


def test_pages_follow_the_marker_through_ties(tenant_a):
    ids = {str(make_image(tenant_a.project, name="tie").id) for _ in range(7)}
    seen, marker = [], None
    while True:
        page = selectors.list_images(
            actor(tenant_a.admin), query(limit="3", sort_key="name", **({"marker": marker} if marker else {}))
        )
        seen += [str(image.id) for image in page.items]
        if not page.next_marker:
            break
        marker = page.next_marker
    assert len(seen) == 7 and set(seen) == ids


@pytest.mark.parametrize(("raw", "expected"), [(None, 25), ("", 25), ("1", 1), ("1000", 1000)])
def test_parse_limit(raw, expected):
    assert selectors.parse_limit(raw, default=25) == expected


@pytest.mark.parametrize("raw", ["0", "1001", "abc", "1.5", "-1"])
def test_parse_limit_refuses(raw):
    with pytest.raises(ImsError):
        selectors.parse_limit(raw, default=25)


def test_parse_sort_defaults_to_newest_first():
    assert selectors.parse_sort(query()) == ("created_at", "desc")
    assert selectors.parse_sort(query(sort_key="name", sort_dir="ASC")) == ("name", "asc")


def test_a_filter_form_class_is_built_once_and_still_validates(tenant_a, monkeypatch):
    """The filters' form class is made once per set of named filters, not for every list; it still refuses a
    bad value with the filter's own message, and two lists do not share a form's cleaned data."""
    from images import filtersets

    built = []
    original = filtersets.filters.FilterSet.get_form_class
    monkeypatch.setattr(filtersets.filters.FilterSet, "get_form_class", lambda self: built.append(1) or original(self))
    make_image(tenant_a.project, name="first")
    make_image(tenant_a.project, name="second")
    caller = actor(tenant_a.admin)
    assert [i.name for i in selectors.list_images(caller, query(name="first", os_type="Linux")).items] == ["first"]
    assert [i.name for i in selectors.list_images(caller, query(name="second", os_type="Linux")).items] == ["second"]
    with pytest.raises(ImsError) as refused:
        selectors.list_images(caller, query(name="first", os_type="Plan9"))
    assert refused.value.message.startswith("Invalid value for os_type:")
    assert built == []
