"""The flavor catalogue: vCPUs, memory and architecture of the server sizes this installation offers."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

X86, ARM = "x86", "arm"


@dataclass(frozen=True)
class Flavor:
    id: str
    vcpus: int
    ram: int  # MB
    architecture: str
    family: str

    @property
    def label(self) -> str:
        return f"{self.id} ({self.vcpus} vCPU, {self.ram // 1024} GB)"


FLAVORS: tuple[Flavor, ...] = (
    Flavor("s6.small.1", 1, 1024, X86, _("General computing")),
    Flavor("s6.medium.2", 1, 2048, X86, _("General computing")),
    Flavor("s6.large.2", 2, 4096, X86, _("General computing")),
    Flavor("s6.xlarge.2", 4, 8192, X86, _("General computing")),
    Flavor("c7.large.2", 2, 4096, X86, _("Compute-optimized")),
    Flavor("c7.xlarge.4", 4, 16384, X86, _("Compute-optimized")),
    Flavor("c7.2xlarge.4", 8, 32768, X86, _("Compute-optimized")),
    Flavor("kc1.large.2", 2, 4096, ARM, _("Kunpeng general computing")),
    Flavor("kc1.xlarge.4", 4, 16384, ARM, _("Kunpeng general computing")),
    Flavor("kc1.2xlarge.4", 8, 32768, ARM, _("Kunpeng general computing")),
)
BY_ID = {flavor.id: flavor for flavor in FLAVORS}
AVAILABILITY_ZONES = ("cn-north-4a", "cn-north-4b", "cn-north-4c")


def flavor(flavor_id: str) -> Flavor | None:
    return BY_ID.get(flavor_id)


def zones_of(region_id: str) -> tuple[str, ...]:
    """Three AZs per region, named as the product names them (`<region>a`, …)."""
    return tuple(f"{region_id}{letter}" for letter in "abc")
