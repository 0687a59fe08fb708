#!/usr/bin/env bash
# Runs the whole test suite: type-check (sources, tests and the Svelte UI), then unit, integration (real ffmpeg,
# Silero VAD, whisper.cpp, SQLite) and browser (Chromium) tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
npx tsc --noEmit -p tsconfig.json
npx svelte-check --tsconfig ui/tsconfig.json --threshold error --fail-on-warnings
npx vitest run "$@"
