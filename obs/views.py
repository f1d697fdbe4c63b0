"""Console pages of the object storage: the bucket list, and a bucket's objects with the browser uploader.

Changes are plain forms posting to small views that call the services and redirect; the uploader's script
calls the REST API with the console's session and CSRF token.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ImsError
from iam.actors import Actor
from iam.authz import can
from iam.pages import ConsolePage
from obs import services
from obs.limits import MIN_PART_SIZE, max_part_size

PAGE_SIZE = 50


class ObsPage(ConsolePage):
    home = "obs:bucket_list"
    no_permission = _(
        "Your user has no permission to use object storage in this region. Ask an administrator of "
        "your account for it, or switch to another region."
    )


def abilities(actor: Actor) -> dict:
    """Which buttons work, from the same authorization the services apply."""
    return {
        name: can(actor, f"obs:{action}")
        for name, action in (
            ("create_bucket", "buckets:create"),
            ("delete_bucket", "buckets:delete"),
            ("put", "objects:put"),
            ("get", "objects:get"),
            ("delete_object", "objects:delete"),
        )
    }


NO_PERMISSION = gettext_lazy("You do not have permission for this.")


class BucketListView(ObsPage):
    def get(self, request):
        buckets = services.list_buckets(request.actor)
        return render(
            request,
            "obs/bucket_list.html",
            {
                "buckets": buckets,
                "can": abilities(request.actor),
                "no_permission": NO_PERMISSION,
                "nav": "obs",
                "region_next": reverse("obs:bucket_list"),
            },
        )

    def post(self, request):
        name = request.POST.get("name", "").strip()
        try:
            bucket = services.create_bucket(request.actor, name=name)
        except ImsError as error:
            messages.error(request, error.message)
            return redirect("obs:bucket_list")
        messages.success(request, _("Bucket %(name)s created.") % {"name": bucket.name})
        return redirect("obs:bucket_detail", bucket=bucket.name)


class BucketDeleteView(ObsPage):
    def post(self, request, bucket):
        try:
            services.delete_bucket(request.actor, name=bucket)
        except ImsError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Bucket %(name)s deleted.") % {"name": bucket})
        return redirect("obs:bucket_list")


class BucketDetailView(ObsPage):
    def get(self, request, bucket):
        prefix, marker = request.GET.get("prefix", ""), request.GET.get("marker", "")
        page = services.list_objects(request.actor, bucket=bucket, prefix=prefix, marker=marker, limit=PAGE_SIZE)
        base = reverse("obs:bucket_detail", args=[page.bucket.name])
        query = {"prefix": prefix} if prefix else {}
        return render(
            request,
            "obs/bucket_detail.html",
            {
                "bucket": page.bucket,
                "objects": page.items,
                "prefix": prefix,
                "marker": marker,
                "next_url": f"{base}?{urlencode({**query, 'marker': page.next_marker})}" if page.next_marker else None,
                "first_url": f"{base}?{urlencode(query)}" if marker else None,
                "can": abilities(request.actor),
                "no_permission": NO_PERMISSION,
                "nav": "obs",
                "part_size": _part_size(request.GET.get("part_size")),
                "strings": uploader_strings(),
                "region_next": reverse("obs:bucket_list"),
            },
        )


def _part_size(raw) -> int | None:
    """A part size the page may be asked to use (tests use small ones); the API checks it again."""
    try:
        size = int(raw)
    except (TypeError, ValueError):
        return None
    return size if MIN_PART_SIZE <= size <= max_part_size() else None


class ObjectDeleteView(ObsPage):
    def post(self, request, bucket):
        key = request.POST.get("key", "")
        try:
            services.delete_object(request.actor, bucket=bucket, key=key)
        except ImsError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Object %(url)s deleted.") % {"url": f"{bucket}:{key}"})
        return redirect("obs:bucket_detail", bucket=bucket)


def uploader_strings() -> dict:
    """The uploader script's messages, translated here (handed over as JSON, never as markup)."""
    return {
        "choose": _("Choose a file first."),
        "hashing": _("Checksum: %(percent)s"),
        "hashed": _("Checksum computed."),
        "starting": _("Starting the upload…"),
        "resuming": _("Resuming: %(stored)s of %(total)s parts are already stored."),
        "progress": _("%(percent)s · %(done)s of %(total)s"),
        "speed": _("%(speed)s MB/s"),
        "eta": _("about %(time)s left"),
        "retrying": _("Network problem; trying part %(part)s again in %(seconds)s s…"),
        "offline": _("Waiting for the network…"),
        "completing": _("Assembling and verifying the object…"),
        "done": _("Uploaded %(url)s; its SHA-256 matches the file."),
        "failed": _("The upload failed: %(reason)s"),
        "mismatch": _("The stored bytes do not match the file's SHA-256; nothing was kept. Upload again."),
        "cancelled": _("Upload cancelled."),
        "confirm": _("Are you sure?"),
        "unfinished": _("%(name)s (%(size)s) to %(key)s — choose the same file to resume."),
        "discard": _("Discard"),
        "gone": _("That unfinished upload no longer exists; starting again."),
    }
