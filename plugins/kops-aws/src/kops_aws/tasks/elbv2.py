"""What the Elastic Load Balancing (v2) tasks share: listing by tag, which the API can only do in batches.

``DescribeLoadBalancers`` and ``DescribeTargetGroups`` cannot filter by tag, so a listing reads every
load balancer (or target group) of the region and then their tags, twenty resources per call.
"""

from __future__ import annotations

from typing import Any

from kops_aws.discovery import paginate
from kops_aws.tags import belongs_to, from_aws

#: How many resources one ``DescribeTags`` call may name.
TAG_BATCH = 20


def tagged(api: Any, operation: str, key: str, arn_key: str, cluster_name: str) -> list[dict[str, Any]]:
    """Every resource of a describe call that is tagged for the cluster, with its ``Tags``."""
    items = paginate(api.elbv2, operation, key)
    found = []
    for start in range(0, len(items), TAG_BATCH):
        batch = items[start:start + TAG_BATCH]
        described = api.elbv2.describe_tags(ResourceArns=[i[arn_key] for i in batch])["TagDescriptions"]
        tags = {d["ResourceArn"]: d.get("Tags", []) for d in described}
        for item in batch:
            if belongs_to(from_aws(tags.get(item[arn_key])), cluster_name):
                found.append({**item, "Tags": tags[item[arn_key]]})
    return found


def attributes(raw: list[dict[str, str]]) -> dict[str, str]:
    """``[{"Key": k, "Value": v}]`` attributes as a dict."""
    return {a["Key"]: a.get("Value", "") for a in raw}
