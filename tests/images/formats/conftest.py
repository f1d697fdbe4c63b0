"""The generated images, built once per test session (qemu-img makes most of them; nothing binary is committed)."""

import shutil

import pytest

from tests.images.formats import hostile

needs_qemu_img = pytest.mark.skipif(
    shutil.which("qemu-img") is None, reason="qemu-img is not installed (apt-get install qemu-utils)"
)


@pytest.fixture(scope="session")
def accepted(tmp_path_factory) -> dict[str, hostile.Sample]:
    return hostile.build_accepted(tmp_path_factory.mktemp("accepted"))


@pytest.fixture(scope="session")
def hostile_images(tmp_path_factory) -> dict[str, hostile.Sample]:
    return hostile.build_hostile(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="session")
def pattern(accepted):
    return accepted["raw"].disk
