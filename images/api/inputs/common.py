"""What every input serializer of the images API shares: one parse step, fields checked by the shared checks,
the one body helper and the job answer."""

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.response import Response

from core.errors import ImsError, describe_validation


def json_object(request) -> dict:
    """The request's body when it is a JSON object; any other JSON value is refused the same way everywhere."""
    if not isinstance(request.data, dict):
        raise ImsError("IMG.0001", _("The request body must be a JSON object."))
    return request.data


def parse(serializer_class, data, **context) -> dict:
    """The body as the service's keyword arguments, or IMG.0001 naming the refused field.

    Field checks shared with the console raise `ImsError` themselves (`core.text`, `images.validation`), so a
    value gets the same code and message on every face. A serializer may word the refusal of a body that is not
    an object its own way (`not_an_object()`), as Glance's create always has."""
    if not isinstance(data, dict):
        not_an_object = getattr(serializer_class, "not_an_object", None)
        raise not_an_object() if not_an_object else ImsError("IMG.0001", _("The request body must be a JSON object."))
    serializer = serializer_class(data=data, context=context)
    if not serializer.is_valid():
        raise ImsError("IMG.0001", describe_validation(serializer.errors))
    return dict(serializer.validated_data)


class Checked:
    """A field whose value one shared check accepts (returning the typed value) or refuses with `ImsError`.

    The check also sees an absent or null value (as None), so its default and its refusal of a missing value are
    the same as on every other face; the DRF field class only gives the OpenAPI schema its type. `check` is a
    function of the value, or the name of a method of the serializer when the check needs another field."""

    def __init__(self, check, **kwargs):
        self.check = check
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def run_validation(self, data=empty):
        value = None if data is empty else data
        check = getattr(self.parent, self.check) if isinstance(self.check, str) else self.check
        return check(value)


class CheckedChar(Checked, serializers.CharField):
    pass


class CheckedInteger(Checked, serializers.IntegerField):
    pass


class CheckedChoice(Checked, serializers.ChoiceField):
    pass


class CheckedBoolean(Checked, serializers.BooleanField):
    pass


class CheckedList(Checked, serializers.ListField):
    pass


def given(value):
    """The value as sent: for fields a later check (of the serializer or the service) decides on."""
    return value


class JobCreated(serializers.Serializer):
    job_id = serializers.CharField(help_text="The asynchronous job: GET /v1/{project_id}/jobs/{job_id} follows it.")


def job_response(job) -> Response:
    return Response({"job_id": job.id}, status=200)
