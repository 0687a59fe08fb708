#!/usr/bin/env bash
# Installs what CallScope needs on Debian 12: system packages, npm dependencies, the built web UI.
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

missing=()
command -v ffmpeg >/dev/null || missing+=(ffmpeg)
command -v chromium >/dev/null || missing+=(chromium)
# Redis for the distributed pipeline and its tests (which start their own server; apt does not start one here).
command -v redis-server >/dev/null || missing+=(redis-server)
# `callscope models download` unpacks the sherpa-onnx .tar.bz2 releases with tar -xj (and its tests do too).
command -v bzip2 >/dev/null || missing+=(bzip2)
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "error: need root (or sudo) to install ${missing[*]}" >&2; exit 1; }
    SUDO=sudo
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "error: Node.js 20 or newer is required (found $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

# npm ci only when the lockfile changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm dependencies"
  # npm install, not npm ci: npm 11 leaves the other platforms' optional whisper binaries out of the
  # lockfile, and npm ci then refuses it as "out of sync".
  # onnxruntime-node (transformers.js) would otherwise try to fetch CUDA binaries from outside npm.
  ONNXRUNTIME_NODE_INSTALL_CUDA=skip ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund --loglevel=error
fi

# Rebuild the UI when any of its sources is newer than the build.
if [ ! -f ui/dist/index.html ] || [ -n "$(find ui/src ui/index.html ui/vite.config.ts -newer ui/dist/index.html -print -quit)" ]; then
  log "building the web UI"
  npx vite build --config ui/vite.config.ts --logLevel warn
fi
