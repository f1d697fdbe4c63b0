"""Demo servers: each demo project gets a Linux server with a data disk, a Windows server and one backup, so a
new user sees the compute flows at once. Repeatable: a project that has its demo servers is left alone."""

from compute.models import Server
from compute.network import default_subnet_id, default_vpc_id
from compute.services.backups import snapshot
from compute.services.servers import DataVolume, ServerRequest, create_post_paid_servers
from iam.actors import system_actor
from images.choices import ImageStatus, ImageType, OsType

DEMO_SERVERS = (
    ("demo-linux", OsType.LINUX, "s6.large.2", [DataVolume(size=100)]),
    ("demo-windows", OsType.WINDOWS, "s6.xlarge.2", []),
)


def _public_image(project, os_type: str):
    from images.models import Image

    return (
        Image.objects.filter(
            region=project.region,
            image_type=ImageType.GOLD,
            status=ImageStatus.ACTIVE,
            os_type=os_type,
            architecture="x86",
            os_bit=64,
            offline=False,
        )
        .exclude(manifest=None)
        .order_by("-created_at", "name")
        .first()
    )


def seed_demo_servers(project) -> list[Server]:
    """The demo servers of `project` (made as the system actor); none when the public images have no content."""
    actor = system_actor(project)
    made = []
    for name, os_type, flavor, volumes in DEMO_SERVERS:
        if Server.objects.filter(project=project, name=name).exclude(status="DELETED").exists():
            continue
        image = _public_image(project, os_type)
        if image is None:
            continue
        request = ServerRequest(
            name=name,
            flavor_ref=flavor,
            image_ref=str(image.pk),
            root_volume_size=max(image.min_disk, 40),
            data_volumes=list(volumes),
            vpcid=default_vpc_id(project),
            subnet_ids=[default_subnet_id(project)],
        )
        job = create_post_paid_servers(actor, request=request)
        made.append(Server.objects.get(pk=job.entities["server_ids"][0]))
    linux = Server.objects.filter(project=project, name="demo-linux").exclude(status="DELETED").first()
    if linux is not None and not linux.backups.exists():
        snapshot(actor, linux, name="demo-linux-backup")
    return made
