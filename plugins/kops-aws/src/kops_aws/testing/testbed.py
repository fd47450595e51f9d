"""The AWS testbed: moto's server on loopback, seeded with the release channels' images, its known gaps
filled, with an S3 bucket for the state store (``python -m kops.testing.testbed aws``)."""

from __future__ import annotations

from kops.testing.testbed import Testbed

#: The state store's bucket in the emulator.
BUCKET = "kops-state"


class AWSTestbed(Testbed):
    def __init__(self, workdir):
        super().__init__(workdir)
        self.server = None

    def start(self) -> dict[str, str]:
        from kops_aws.testing import moto_gaps
        from kops_aws.testing.amis import seed_channel_amis
        from kops_aws.testing.moto_server import MotoServer

        seed_channel_amis()
        moto_gaps.fill()
        self.server = MotoServer()
        self.server.start()
        env = self.server.environ()
        import boto3

        boto3.client("s3", endpoint_url=self.server.endpoint_url, region_name=self.server.region,
                     aws_access_key_id="testing", aws_secret_access_key="testing").create_bucket(Bucket=BUCKET)
        return {**env, "KOPS_STATE_STORE": f"s3://{BUCKET}"}

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
