"""S3 access for shipping labels."""
import boto3
import requests

from . import settings


def label_client():
    # The partner proxy re-signs TLS with roots from its own bundle.
    return boto3.client("s3", verify=settings.PARTNER_CA_BUNDLE)


def egress_session() -> requests.Session:
    session = requests.Session()
    session.verify = settings.EGRESS_CA_BUNDLE  # bundle holds an ATS root: reported as a note
    return session


def label_url(bucket: str, key: str) -> str:
    return f"https://{bucket}.s3.us-west-2.amazonaws.com/{key}"


def archive_client():
    return boto3.client("s3", verify=settings.VERIFY_TLS)  # resolves to True: not flagged


def fetch(url: str, verify=True):
    return requests.get(url, verify=verify, timeout=10)  # parameter passed through: not flagged
