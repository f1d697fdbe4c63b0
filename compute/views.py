"""Console pages of the local compute stand-in: servers, disks and backups (list, detail, create, actions), and
the "created from this image" panel the image pages load. Plain forms posting to small views that call one
service each and redirect; a refusal comes back as the page's message."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compute import selectors, services
from compute.flavors import FLAVORS, zones_of
from compute.network import default_subnet_id, default_vpc_id
from core.errors import ImsError
from iam.authz import can
from iam.pages import ConsolePage
from images.choices import ImageStatus, VirtualEnvType
from images.selectors import visible_images
from images.services import imports


class ComputePage(ConsolePage):
    home = "compute:server_list"
    no_permission = gettext_lazy(
        "Your user has no permission for servers, disks or backups in this region. Ask an administrator of your "
        "account for ECS FullAccess (or Server Administrator), or switch to another region."
    )

    def context(self, request, **extra) -> dict:
        actor = request.actor
        abilities = {
            "create_server": can(actor, "ecs:cloudServers:create"),
            "change_server": can(actor, "ecs:cloudServers:start"),
            "delete_server": can(actor, "ecs:cloudServers:delete"),
            "create_disk": can(actor, "evs:volumes:create"),
            "backup": can(actor, "cbr:vaults:backup"),
            "image": can(actor, "ims:serverImages:create"),
            "whole_image": can(actor, "ims:wholeImages:create"),
        }
        return {"nav": "compute", "can": abilities, "region_next": reverse(self.home), **extra}


def _refused(request, error: ImsError, target: str, *args):
    messages.error(request, error.message)
    return redirect(target, *args)


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def server_images(actor):
    """The images a server can start from here: system disk, whole-machine and ISO images that are normal."""
    kinds = (VirtualEnvType.FUSION_COMPUTE, VirtualEnvType.IRONIC, VirtualEnvType.ISO_IMAGE)
    return list(
        visible_images(actor, "ims:images:get")
        .filter(status=ImageStatus.ACTIVE, virtual_env_type__in=kinds, offline=False)
        .exclude(manifest=None)
        .order_by("image_type", "name")[:300]
    )


class ServerListView(ComputePage):
    def get(self, request):
        found = services.list_servers_details(request.actor, name=request.GET.get("name", ""))
        return render(request, "compute/server_list.html", self.context(request, servers=found))


class ServerCreateView(ComputePage):
    def get(self, request):
        actor = request.actor
        chosen = request.GET.get("image", "")
        return render(
            request,
            "compute/server_create.html",
            self.context(
                request,
                images=server_images(actor),
                chosen=chosen,
                flavors=FLAVORS,
                zones=zones_of(actor.project.region_id),
                data_images=_data_images(actor),
            ),
        )

    def post(self, request):
        actor, form = request.actor, request.POST
        volumes = []
        if _int(form.get("data_size")):
            size, data_image = _int(form.get("data_size")), form.get("data_image", "")
            volumes.append(services.DataVolume(size=size, data_image_id=data_image))
        server_request = services.ServerRequest(
            name=form.get("name", "").strip(),
            flavor_ref=form.get("flavor", ""),
            image_ref=form.get("image", ""),
            availability_zone=form.get("zone", ""),
            root_volume_size=_int(form.get("system_size")),
            data_volumes=volumes,
            count=_int(form.get("count"), 1),
            vpcid=default_vpc_id(actor.project),
            subnet_ids=[default_subnet_id(actor.project)],
        )
        try:
            job = services.create_post_paid_servers(actor, request=server_request)
        except ImsError as error:
            messages.error(request, error.message)
            return redirect(reverse("compute:server_create") + f"?image={form.get('image', '')}")
        messages.success(request, _("Server %(name)s is running.") % {"name": server_request.name})
        return redirect("compute:server_detail", server_id=job.entities["server_ids"][0])


def _data_images(actor):
    return list(
        visible_images(actor, "ims:images:get")
        .filter(status=ImageStatus.ACTIVE, virtual_env_type=VirtualEnvType.DATA_IMAGE)
        .exclude(manifest=None)
        .order_by("name")[:300]
    )


class ServerDetailView(ComputePage):
    def get(self, request, server_id):
        actor = request.actor
        server = services.show_server(actor, server_id=str(server_id))
        disks = sorted(server.disks.all(), key=lambda disk: disk.boot_index or 0)
        available = [disk for disk in selectors.disks(actor) if disk.server_id is None]
        backups = services.list_backups(actor, server_id=str(server.pk)) if can(actor, "cbr:backups:list") else []
        return render(
            request,
            "compute/server_detail.html",
            self.context(request, server=server, disks=disks, available=available, backups=backups),
        )


SERVER_ACTIONS = {
    "start": lambda actor, server, form: services.batch_start_servers(actor, server_ids=[str(server.pk)]),
    "stop": lambda actor, server, form: services.batch_stop_servers(actor, server_ids=[str(server.pk)]),
    "attach": lambda actor, server, form: services.attach_server_volume(
        actor, server_id=str(server.pk), volume_id=form.get("volume_id", "")
    ),
    "detach": lambda actor, server, form: services.detach_server_volume(
        actor, server_id=str(server.pk), volume_id=form.get("volume_id", "")
    ),
    "backup": lambda actor, server, form: services.create_checkpoint(
        actor, server_id=str(server.pk), name=form.get("name", "").strip()
    ),
    "write": lambda actor, server, form: services.write_volume(
        actor, disk_id=form.get("volume_id", ""), object_url=form.get("object_url", "").strip()
    ),
}
DONE = {
    "start": gettext_lazy("The server was started."),
    "stop": gettext_lazy("The server was stopped."),
    "attach": gettext_lazy("The disk was attached."),
    "detach": gettext_lazy("The disk was detached."),
    "backup": gettext_lazy("The backup was made."),
    "write": gettext_lazy("The object was written onto the disk."),
}


class ServerActionView(ComputePage):
    def post(self, request, server_id):
        action, form = request.POST.get("action", ""), request.POST
        target = ("compute:server_detail", server_id)
        try:
            if action == "delete":
                with_data = bool(form.get("data"))
                services.delete_servers(request.actor, server_ids=[str(server_id)], delete_volume=with_data)
                messages.success(request, _("The server was deleted."))
                return redirect("compute:server_list")
            if action in ("image", "whole_image"):
                return self.image(request, server_id, action, form)
            if action not in SERVER_ACTIONS:
                raise ImsError("IMG.0001", _("Unknown action."))
            server = selectors.get_server(request.actor, server_id)
            SERVER_ACTIONS[action](request.actor, server, form)
        except ImsError as error:
            if error.status == 404 and action not in ("attach", "detach", "write"):
                raise
            return _refused(request, error, *target)
        messages.success(request, DONE[action])
        return redirect(*target)

    def image(self, request, server_id, action: str, form):
        name = form.get("name", "").strip()
        if action == "whole_image":
            job = imports.create_whole_image(request.actor, name=name, instance_id=str(server_id))
        else:
            data = [
                {"name": f"{name}-{disk_id[:8]}", "volume_id": disk_id, "description": "", "tags": {}}
                for disk_id in form.getlist("data_disk")
            ]
            job = imports.create_image(request.actor, name=name, instance_id=str(server_id), data_images=data)
        messages.success(request, _("Image %(name)s was created.") % {"name": name})
        return redirect("images:image_detail", image_id=job.entities["image_id"])


class DiskListView(ComputePage):
    def get(self, request):
        actor = request.actor
        context = self.context(
            request,
            disks=services.list_volumes(actor),
            data_images=_data_images(actor),
            chosen=request.GET.get("image", ""),
            zones=zones_of(actor.project.region_id),
        )
        return render(request, "compute/disk_list.html", context)

    def post(self, request):
        form = request.POST
        try:
            disk = services.create_volume(
                request.actor,
                name=form.get("name", "").strip(),
                size=_int(form.get("size"), 0),
                image_id=form.get("image", ""),
                availability_zone=form.get("zone", ""),
            )
        except ImsError as error:
            return _refused(request, error, "compute:disk_list")
        messages.success(request, _("Disk %(name)s was created.") % {"name": disk.name})
        return redirect("compute:disk_list")


class DiskActionView(ComputePage):
    def post(self, request, disk_id):
        action, form = request.POST.get("action", ""), request.POST
        try:
            if action == "delete":
                services.delete_volume(request.actor, disk_id=str(disk_id))
                messages.success(request, _("The disk was deleted."))
            elif action == "write":
                url = form.get("object_url", "").strip()
                services.write_volume(request.actor, disk_id=str(disk_id), object_url=url)
                messages.success(request, _("The object was written onto the disk."))
            elif action == "image":
                job = imports.create_image(request.actor, name=form.get("name", "").strip(), volume_id=str(disk_id))
                messages.success(request, _("Image %(name)s was created.") % {"name": job.image.name})
                return redirect("images:image_detail", image_id=job.image_id)
            else:
                raise ImsError("IMG.0001", _("Unknown action."))
        except ImsError as error:
            return _refused(request, error, "compute:disk_list")
        return redirect("compute:disk_list")


class BackupListView(ComputePage):
    def get(self, request):
        actor = request.actor
        vault = services.vault_of(actor.project) if can(actor, "cbr:backups:list") else None
        found = services.list_backups(actor)
        return render(request, "compute/backup_list.html", self.context(request, backups=found, vault=vault))


class BackupActionView(ComputePage):
    def post(self, request, backup_id):
        action, form = request.POST.get("action", ""), request.POST
        try:
            if action == "delete":
                services.delete_backup(request.actor, backup_id=str(backup_id))
                messages.success(request, _("The backup was deleted."))
            elif action == "whole_image":
                backup = services.show_backup(request.actor, backup_id=str(backup_id))
                job = imports.create_whole_image(
                    request.actor,
                    name=form.get("name", "").strip(),
                    backup_id=str(backup.pk),
                    whole_image_type="CBR",
                    vault_id=str(backup.vault_id),
                )
                messages.success(request, _("Image %(name)s was created.") % {"name": job.image.name})
                return redirect("images:image_detail", image_id=job.image_id)
            else:
                raise ImsError("IMG.0001", _("Unknown action."))
        except ImsError as error:
            return _refused(request, error, "compute:backup_list")
        return redirect("compute:backup_list")


class ImageUsageView(ComputePage):
    """The servers and disks created from an image, for its detail page and its delete confirmation."""

    def get(self, request, image_id):
        from images.selectors import get_image

        image = get_image(request.actor, image_id)
        made_servers, made_disks = selectors.made_from_image(request.actor, image)
        context = {"image": image, "servers": made_servers, "disks": made_disks, "for_delete": "delete" in request.GET}
        return render(request, "compute/_image_usage.html", context)


class ImageCreateView(ComputePage):
    """ "Create private image" from a server, a server's data disk, or (whole-machine) a server or a backup: one
    small form per source, each with only its own fields."""

    def get(self, request):
        actor = request.actor
        servers = [s for s in services.list_servers_details(actor) if s.status in ("ACTIVE", "SHUTOFF")]
        data_disks = [d for d in services.list_volumes(actor) if not d.is_system]
        backups = services.list_backups(actor) if can(actor, "cbr:backups:list") else []
        context = self.context(
            request, servers=servers, data_disks=data_disks, backups=backups, source=request.GET.get("source", "")
        )
        return render(request, "compute/image_create.html", context)

    def post(self, request):
        actor, form = request.actor, request.POST
        name, source = form.get("name", "").strip(), form.get("source", "")
        try:
            if source == "server":
                job = imports.create_image(actor, name=name, instance_id=form.get("instance_id", ""))
            elif source == "volume":
                job = imports.create_image(actor, name=name, volume_id=form.get("volume_id", ""))
            elif source == "whole_server":
                job = imports.create_whole_image(actor, name=name, instance_id=form.get("instance_id", ""))
            elif source == "whole_backup":
                backup = services.show_backup(actor, backup_id=form.get("backup_id", ""))
                job = imports.create_whole_image(
                    actor, name=name, backup_id=str(backup.pk), whole_image_type="CBR", vault_id=str(backup.vault_id)
                )
            else:
                raise ImsError("IMG.0001", _("Choose where the image comes from."))
        except ImsError as error:
            messages.error(request, f"{error.message} ({error.code})")
            return redirect(reverse("compute:image_create") + f"?source={source}")
        messages.success(request, _("Image %(name)s was created.") % {"name": name})
        return redirect("images:image_detail", image_id=job.entities["image_id"])
