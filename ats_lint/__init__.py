"""ats-lint: find what breaks when Amazon S3 and CloudFront serve Amazon Trust Services certificates."""

__version__ = "0.1.0"
