"""Machine images as instance groups name them: an AMI ID, ``owner/name`` or a bare name (the account's own).

Owners may be given by upstream's aliases (``ubuntu`` is Canonical's account). A name resolves to the
newest matching image. The direct target asks EC2 once per image per run; Terraform gets an ``aws_ami``
data source instead, so writing a configuration never calls AWS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kops.engine import Block, Context, Expr
from kops.engine.targets.terraform import TerraformWriter
from kops.errors import KopsError

from kops_aws.discovery import paginate

#: Upstream's aliases for the accounts that publish well-known images.
OWNER_ALIASES = {
    "amazon": "137112412989", "amazon.com": "137112412989",
    "debian": "136693071363", "debian11": "136693071363",
    "flatcar": "075585003325",
    "redhat": "309956199498", "redhat.com": "309956199498",
    "ubuntu": "099720109477",
    "rocky": "792107900819", "rockylinux": "792107900819",
}


@dataclass(frozen=True)
class ImageQuery:
    """How to find an image: by ID, or by owner and name."""

    image_id: str | None = None
    owner: str | None = None
    name: str | None = None

    @classmethod
    def parse(cls, spec: str) -> ImageQuery:
        if spec.startswith("ami-"):
            return cls(image_id=spec)
        if spec.startswith("ssm:"):
            raise KopsError(f"image {spec!r}: images from SSM parameters are not supported; name the AMI")
        owner, sep, name = spec.partition("/")
        if not sep:
            return cls(owner="self", name=spec)
        return cls(owner=OWNER_ALIASES.get(owner, owner), name=name)

    def describe_args(self) -> dict[str, Any]:
        if self.image_id:
            return {"ImageIds": [self.image_id]}
        return {"Owners": [self.owner], "Filters": [{"Name": "name", "Values": [self.name]}]}

    def terraform_data(self) -> dict[str, Any]:
        """The body of an ``aws_ami`` data source that finds the image."""
        if self.image_id:
            return {"most_recent": True, "filter": Block(name="image-id", values=[self.image_id])}
        return {"most_recent": True, "owners": [self.owner], "filter": Block(name="name", values=[self.name])}


def resolve(ctx: Context, spec: str) -> dict[str, Any]:
    """The image ``spec`` names, as ``DescribeImages`` returns it; looked up once per run."""
    return ctx.client(f"image:{spec}", lambda: _lookup(ctx.cloud, spec))


def _lookup(api: Any, spec: str) -> dict[str, Any]:
    images = paginate(api.ec2, "describe_images", "Images", **ImageQuery.parse(spec).describe_args())
    if not images:
        raise KopsError(f"image {spec!r} was not found in region {api.region}; check the instance group's "
                        "image, or that the account may use it")
    return max(images, key=lambda i: i.get("CreationDate") or "")


def terraform_image(tf: TerraformWriter, spec: str) -> tuple[Any, Expr]:
    """(``image_id``, root device name) for a Terraform launch template: the ID as written when the spec
    names one, else the data source's; the root device always from the data source."""
    query = ImageQuery.parse(spec)
    image_id = tf.add_data_source("aws_ami", spec, query.terraform_data())
    root_device = Expr(image_id.text.removesuffix(".id") + ".root_device_name")
    return (query.image_id or image_id), root_device
