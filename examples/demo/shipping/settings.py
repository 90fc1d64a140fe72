"""Settings of the demo service. Module constants are followed by ats-lint across imports."""
import pathlib

import certifi

LABEL_BUCKET_URL = "https://demo-labels.s3.amazonaws.com"
PARIS_BUCKET_URL = "https://demo-labels-eu.s3.eu-west-3.amazonaws.com"  # ATS-ready region: not flagged
THUMBNAILS_CDN = "https://d1demo2thumbs3.cloudfront.net"
MEDIA_SITE = "https://media.example.com"  # CloudFront custom domain: not flagged

PARTNER_CA_BUNDLE = pathlib.Path("certs") / "partner-ca-bundle.pem"
EGRESS_CA_BUNDLE = "certs/egress-bundle.pem"
VERIFY_TLS = True
DEFAULT_CA = certifi.where()
