#!/usr/bin/env bash
# Quick start: install, ingest the sample calls (transcribe, analyse, score, index), then serve the
# API and UI. Running it again skips calls already ingested.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh

samples="${CALLSCOPE_SAMPLES:-../shared/data/calls}"
if [ ! -d "$samples" ]; then
  echo "error: sample calls not found at $samples (set CALLSCOPE_SAMPLES)" >&2
  exit 1
fi
printf '\033[1m==> ingesting %s\033[0m\n' "$samples" >&2
# Exit code 2 means some calls failed: they are listed above and visible in the UI, so serve anyway.
node bin/callscope.js ingest "$samples" || [ $? -eq 2 ]
# Every page and API call needs a login: the first run makes an admin with a password printed once.
if [ -z "$(node bin/callscope.js users list)" ]; then
  printf '\033[1m==> creating the first admin account\033[0m\n' >&2
  node bin/callscope.js users create-admin --generate-password
  echo "Sign in as admin with the password above (add people: node bin/callscope.js users add --help)." >&2
else
  echo "Sign in with your account (lost the admin password? node bin/callscope.js users reset-password admin --generate-password)." >&2
fi
exec node bin/callscope.js serve
