#!/usr/bin/env bash
# Nightly job: publish the day's manifests for the carriers.
set -euo pipefail
cd "$(dirname "$0")/.."

# curl goes through the partner proxy too.
export CURL_CA_BUNDLE=certs/partner-ca-bundle.pem
echo "AWS CLI trust store: ${AWS_CA_BUNDLE:-system default}"   # reads a variable: not a finding

day=$(date -u +%F)
curl -fsS -o "/tmp/$day.csv" "https://s3.us-west-2.amazonaws.com/demo-manifests/$day.csv"
curl -fsS -T "/tmp/$day.csv" "https://demo-manifests-eu.s3.eu-west-3.amazonaws.com/$day.csv"   # ATS-ready region
curl -fsS http://demo-status.s3-website-us-east-1.amazonaws.com/ping >/dev/null || true        # plain HTTP
# Old drop, kept for reference: https://demo-old.s3.amazonaws.com/raw/
