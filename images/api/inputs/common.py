"""What every input serializer of the images API shares: one parse step and the job answer."""

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.response import Response

from core.errors import ImsError, describe_validation


def parse(serializer_class, data, **context) -> dict:
    """The body as the service's keyword arguments, or IMG.0001 naming the refused field.

    Field checks shared with the console raise `ImsError` themselves (`core.text`, `images.validation`), so a
    value gets the same code and message on every face."""
    if not isinstance(data, dict):
        raise ImsError("IMG.0001", _("The request body must be a JSON object."))
    serializer = serializer_class(data=data, context=context)
    if not serializer.is_valid():
        raise ImsError("IMG.0001", describe_validation(serializer.errors))
    return dict(serializer.validated_data)


class JobCreated(serializers.Serializer):
    job_id = serializers.CharField(help_text="The asynchronous job: GET /v1/{project_id}/jobs/{job_id} follows it.")


def job_response(job) -> Response:
    return Response({"job_id": job.id}, status=200)
