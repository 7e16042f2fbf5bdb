#!/usr/bin/env bash
# Amazon S3 + CloudFront: build, then upload what changed. Hashed search files are cached for good; pages,
# feeds and everything else are revalidated. shirube's own list of its files (.shirube-output) is not uploaded.
#
#   BUCKET=s3://guide-example-com/onboarding DISTRIBUTION=E123ABC BASE_URL=https://guide.example.com/onboarding/ docs/deploy/s3.sh
set -euo pipefail
: "${BUCKET:?set BUCKET, for example s3://guide-example-com or s3://bucket/onboarding}"
: "${BASE_URL:?set BASE_URL, the address the guide is served at, for example https://guide.example.com/onboarding/}"

shirube check
shirube build --out public --base-url "$BASE_URL"

# 1. The search index's hashed folders: immutable (a changed file gets another name).
aws s3 sync public "$BUCKET" --exclude '*' --include 'search/*/*' \
  --cache-control 'public, max-age=31536000, immutable'
# 2. Everything else: revalidated on every visit. --delete removes what the new build no longer has.
aws s3 sync public "$BUCKET" --delete --exclude 'search/*/*' --exclude '.shirube-output' \
  --exclude '_headers' --exclude '_redirects' \
  --cache-control 'public, max-age=0, must-revalidate'

# 3. CloudFront: forget the cached pages (search files keep their names, so they need no invalidation).
if [ -n "${DISTRIBUTION:-}" ]; then
  aws cloudfront create-invalidation --distribution-id "$DISTRIBUTION" --paths '/*'
fi
