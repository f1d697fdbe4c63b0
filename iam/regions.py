"""The regions this installation serves, with their availability zones (data; operators may add more in admin)."""

REGIONS = (
    # id, English name, Chinese name, availability zones
    ("cn-north-4", "CN North-Beijing4", "华北-北京四", ("cn-north-4a", "cn-north-4b", "cn-north-4c", "cn-north-4g")),
    ("cn-east-3", "CN East-Shanghai1", "华东-上海一", ("cn-east-3a", "cn-east-3b", "cn-east-3c", "cn-east-3d")),
    ("cn-south-1", "CN South-Guangzhou", "华南-广州", ("cn-south-1a", "cn-south-1c", "cn-south-1f")),
    ("ap-southeast-1", "CN-Hong Kong", "中国-香港", ("ap-southeast-1a", "ap-southeast-1b", "ap-southeast-1c")),
)


def zone_names(zone_id: str) -> tuple[str, str]:
    number = zone_id[-1]
    index = ord(number) - ord("a") + 1
    return f"AZ{index}", f"可用区{index}"
