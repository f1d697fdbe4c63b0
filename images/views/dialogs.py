"""Modal dialogs of an image's actions (modify, copy, copy to region, export, share, tags, delete).

Each dialog is one URL: GET draws it (into the page's <dialog> for htmx, as a page of its own without script),
POST calls one service with what its form cleaned. A refusal, the form's or the service's, is drawn beside the field
it concerns; success sends the browser to the next page (the job, the image, the list) with a message.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from core.errors import ImsError
from iam.pages import ConsolePage
from images import rules, selectors


def split_field(message: str) -> tuple[str, str]:
    """("min_ram", "must be …") from the services' "min_ram: must be …"; ("", message) when no field is named."""
    field, separator, rest = message.partition(": ")
    if separator and field and " " not in field:
        return field, rest
    return "", message


def place_error(form, error: ImsError, field_of=lambda attribute: attribute, default: str | None = None) -> None:
    """The service's refusal beside the field it names (or the dialog's one field), else above the form."""
    attribute, message = split_field(error.message)
    field = field_of(attribute) if attribute else None
    if field not in form.fields:
        field = default
    form.add_error(field, message if field else error.message)


def strip_field_names(form) -> None:
    """The shared checks word their refusals for the API ("name: …"); beside the field the name is redundant."""
    for name, errors in form.errors.items():
        form.errors[name] = form.error_class([split_field(str(message))[1] for message in errors])


class ImageDialog(ConsolePage):
    """One action's dialog. Subclasses name the button it belongs to, its partial, its form and its service."""

    action = ""
    template_name = ""
    form_class = None
    error_field = None  # where a service refusal naming no field of the form is shown (None: above the form)

    def get(self, request, image_id):
        image = self.image_of(request, image_id)
        return self.show(request, image, self.make_form(image))

    def post(self, request, image_id):
        image = self.image_of(request, image_id)
        form = self.make_form(image, request.POST)
        if form.is_valid():
            try:
                target = self.submit(request, image, form)
            except ImsError as error:
                if error.status == 404:
                    raise  # the image went away meanwhile: the error page
                place_error(form, error, self.field_of(form), self.error_field)
            else:
                return self.done(request, target)
        else:
            self.form_refused(request, image.pk, next(iter(form.errors.values()))[0])
        strip_field_names(form)
        return self.show(request, image, form, status=400)

    def image_of(self, request, image_id):
        """The image the dialog acts on: the actor's own (the market's copy dialog takes a market image too)."""
        return selectors.get_own_image(request.actor, image_id)

    def refusal_of(self, request, image) -> str:
        return rules.image_actions(request.actor, image)[self.action].reason

    def make_form(self, image, data=None):
        return self.form_class(data)

    def field_of(self, form):
        return lambda attribute: attribute

    def form_refused(self, request, image_id, message: str) -> None:
        """A form's own refusal; dialogs of operations that trace such attempts say so here."""

    def submit(self, request, image, form) -> str:
        raise NotImplementedError

    def extra_context(self, request, image) -> dict:
        return {}

    def show(self, request, image, form, status: int = 200):
        context = {
            "image": image,
            "form": form,
            "refusal": self.refusal_of(request, image),
            "dialog_template": self.template_name,
            "dialog_url": request.path,
            **self.extra_context(request, image),
        }
        if request.htmx:
            # htmx swaps only 2xx answers: a refused form is still the dialog to draw.
            return render(request, self.template_name, context)
        return render(request, "images/image_dialog_page.html", context, status=status)

    def done(self, request, target: str):
        if request.htmx:
            return HttpResponseClientRedirect(target)
        return redirect(target)


def image_url(image) -> str:
    return reverse("images:image_detail", args=[image.pk])


def success(request, message: str) -> None:
    messages.success(request, message)
