"""seed_demo's compute part: two servers (Linux with a data disk, Windows) and a backup per demo project, once."""

import pytest

from compute.models import Backup, Server
from compute.services.demo import seed_demo_servers
from tests import factories
from tests.compute.helpers import content_image

pytestmark = pytest.mark.usefixtures("own_var_dir")


def test_demo_servers_are_made_once(tenant_a, platform, tmp_path):
    public = factories.project_of(platform)
    content_image(public, tmp_path, name="Ubuntu", image_type="gold")
    content_image(public, tmp_path, name="Windows", seed=2, image_type="gold", os_type="Windows", platform="Windows")
    project = factories.project_of(tenant_a.account)
    made = seed_demo_servers(project)
    assert sorted(server.name for server in made) == ["demo-linux", "demo-windows"]
    linux = Server.objects.get(project=project, name="demo-linux")
    assert len(linux.data_disks) == 1 and Backup.objects.filter(server=linux).count() == 1
    assert seed_demo_servers(project) == [] and Backup.objects.count() == 1
