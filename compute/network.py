"""One default VPC and subnet per project, both named `default`: enough for servers that no guest runs on."""

import uuid

NAMESPACE = uuid.UUID("5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a")


def default_vpc_id(project) -> str:
    return str(uuid.uuid5(NAMESPACE, f"vpc:{project.pk}"))


def default_subnet_id(project) -> str:
    return str(uuid.uuid5(NAMESPACE, f"subnet:{project.pk}"))


def private_ip(server) -> str:
    """A stable address in 192.168.0.0/16 for the server's one NIC."""
    number = server.pk.int % 65000 + 2
    return f"192.168.{number // 256}.{number % 256}"
