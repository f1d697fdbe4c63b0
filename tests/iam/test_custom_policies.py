"""Custom policies: documents checked before they are saved, statements naming images, Deny over Allow."""

import json

import pytest
from django.core.exceptions import ValidationError

from iam.authz import can, scope
from iam.grants import grant_policy
from iam.models import Policy
from iam.policies import IMS_FULL_ACCESS, IMS_READ_ONLY
from iam.policy_documents import MAX_DOCUMENT_CHARS, PolicyDocumentError, parse_document, validate_document
from images.models import Image
from tests import factories


def document(*statements) -> dict:
    return {"Version": "1.1", "Statement": list(statements)}


def custom_policy(account, name: str, *statements) -> Policy:
    policy = Policy(name=name, kind=Policy.Kind.CUSTOM, account=account, document=document(*statements))
    policy.full_clean()
    policy.save()
    return policy


def user_with(account, username: str, *policies: Policy, system=()):
    user = factories.make_user(account, username, *system)
    group = user.iam_groups.get()
    for policy in policies:
        grant_policy(group, policy)
    return user


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"Version": "1.1", "Statement": [', "not valid JSON"),
        ('{"Version": "1.1" "Statement": []}', "line 1, column 19"),
        ("[]", "must be a JSON object"),
        (
            '{"Version": "1.0", "Statement": [{"Effect": "Allow", "Action": ["ims:images:get"]}]}',
            'Version must be "1.1"',
        ),
        ('{"Version": "1.1", "Statement": []}', "non-empty list"),
        ('{"Version": "1.1", "Statement": [{"Effect": "Permit", "Action": ["ims:images:get"]}]}', "Effect must be"),
        ('{"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": []}]}', "Action must be a non-empty list"),
        ('{"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": [7]}]}', "Action must be a non-empty list"),
        (
            '{"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["ims:image:get"]}]}',
            'the action "ims:image:get" matches no action of this service',
        ),
        ('{"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["ecs:servers:*"]}]}', "matches no action"),
        ('{"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["images:get"]}]}', "is not an action"),
        (
            '{"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["ims:images:get"], "Condition": {}}]}',
            "unsupported fields: Condition",
        ),
        (
            '{"Version": "1.1", "Statement": '
            '[{"Effect": "Allow", "Action": ["ims:images:get"], "Resource": ["img-1"]}]}',
            "is not an image resource",
        ),
        (
            '{"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["ims:images:get"], '
            '"Resource": ["ims:*:*:image:not-a-uuid"]}]}',
            "is not an image resource",
        ),
        (
            '{"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["ims:images:get"]}], "Extra": 1}',
            "Unknown policy field: Extra",
        ),
    ],
)
def test_bad_documents_are_refused_with_a_message_naming_the_mistake(text, message):
    with pytest.raises(PolicyDocumentError) as refused:
        parse_document(text)
    assert message in refused.value.message
    assert refused.value.code == "IAM.0101"


def test_an_oversized_document_is_refused():
    statement = {"Effect": "Allow", "Action": ["ims:images:get"] * 400}
    with pytest.raises(PolicyDocumentError, match=str(MAX_DOCUMENT_CHARS)):
        parse_document(json.dumps(document(statement)))


def test_wildcards_and_image_resources_are_accepted():
    validate_document(
        document(
            {"Effect": "Allow", "Action": ["ims:*:get*", "ims:images:list", "obs:objects:*"]},
            {
                "Effect": "Deny",
                "Action": "ims:images:delete",
                "Resource": ["ims:cn-north-4:*:image:2f1c5b4e-8d7a-4c1e-9f00-0123456789ab", "ims:*:*:image:*"],
            },
            {"Effect": "Allow", "Action": ["*:*:*"]},
        )
    )


def test_model_validation_reports_on_the_document_field(tenant_a):
    policy = Policy(
        name="broken",
        kind=Policy.Kind.CUSTOM,
        account=tenant_a.account,
        document=document({"Effect": "Allow", "Action": ["ims:imagez:*"]}),
    )
    with pytest.raises(ValidationError) as refused:
        policy.full_clean()
    assert "matches no action" in refused.value.message_dict["document"][0]


def test_a_custom_policy_belongs_to_an_account(identity):
    policy = Policy(
        name="orphan", kind=Policy.Kind.CUSTOM, document=document({"Effect": "Allow", "Action": ["ims:images:get"]})
    )
    with pytest.raises(ValidationError) as refused:
        policy.full_clean()
    assert "account" in refused.value.message_dict


def test_a_custom_allow_gives_exactly_its_actions(tenant_a):
    policy = custom_policy(
        tenant_a.account,
        "viewers-and-editors",
        {"Effect": "Allow", "Action": ["ims:images:list", "ims:images:get", "ims:images:update"]},
    )
    actor = factories.actor(user_with(tenant_a.account, "alpha-editor", policy))
    assert can(actor, "ims:images:update") and can(actor, "ims:images:list")
    assert not can(actor, "ims:images:delete") and not can(actor, "ims:serverImages:create")


def test_a_deny_on_one_image_wins_over_full_access_for_that_image_only(tenant_a):
    kept, other = factories.make_image(tenant_a.project), factories.make_image(tenant_a.project)
    policy = custom_policy(
        tenant_a.account,
        "keep-one",
        {"Effect": "Deny", "Action": ["ims:images:delete", "ims:images:get"], "Resource": [kept.urn()]},
    )
    actor = factories.actor(user_with(tenant_a.account, "alpha-careful", policy, system=(IMS_FULL_ACCESS,)))
    assert not can(actor, "ims:images:delete", kept)
    assert can(actor, "ims:images:delete", other)
    assert list(scope(actor, "ims:images:get", Image.objects.all())) == [other]
    assert set(scope(actor, "ims:images:list", Image.objects.all())) == {kept, other}


def test_an_allow_on_one_image_lets_the_user_see_only_that_image(tenant_a):
    shown, hidden = factories.make_image(tenant_a.project), factories.make_image(tenant_a.project)
    policy = custom_policy(
        tenant_a.account,
        "one-image",
        {
            "Effect": "Allow",
            "Action": ["ims:images:get", "ims:images:list"],
            "Resource": [f"ims:cn-north-4:{tenant_a.project.pk}:image:{shown.pk}"],
        },
    )
    actor = factories.actor(user_with(tenant_a.account, "alpha-narrow", policy))
    assert list(scope(actor, "ims:images:list", Image.objects.all())) == [shown]
    assert can(actor, "ims:images:get", shown) and not can(actor, "ims:images:get", hidden)
    assert not can(actor, "ims:images:list")  # not for every image


def test_a_resource_statement_never_reaches_another_tenants_image(tenant_a, tenant_b):
    foreign = factories.make_image(tenant_b.project)
    policy = custom_policy(
        tenant_a.account,
        "everything-named",
        {"Effect": "Allow", "Action": ["ims:images:*"], "Resource": ["ims:*:*:image:*"]},
    )
    actor = factories.actor(user_with(tenant_a.account, "alpha-greedy", policy))
    assert foreign not in scope(actor, "ims:images:get", Image.objects.all())


def test_a_read_only_user_denied_nothing_more_by_an_unrelated_deny(tenant_a):
    policy = custom_policy(tenant_a.account, "no-export", {"Effect": "Deny", "Action": ["ims:images:export"]})
    actor = factories.actor(user_with(tenant_a.account, "alpha-viewer", policy, system=(IMS_READ_ONLY,)))
    assert can(actor, "ims:images:get") and not can(actor, "ims:images:export")


@pytest.mark.parametrize(
    "document",
    [
        '{"Version": "1.1", "Statement": [' + "9" * 5000 + "]}",
        "[" * 3000 + "]" * 3000,  # within the size limit, deeper than Python's recursion limit
        '{"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": ["\\ud800"]}]}',
        '{"Version": "1.1", "Statement": [{"Effect": "Allow", "Action": [1e400]}]}',
    ],
    ids=["huge-integer", "deep", "lone-surrogate", "beyond-a-float"],
)
def test_a_hostile_document_is_refused_with_a_reason_not_a_crash(document):
    from iam.policy_documents import PolicyDocumentError, parse_document

    with pytest.raises(PolicyDocumentError) as refused:
        parse_document(document)
    assert refused.value.code == "IAM.0101" and refused.value.message
