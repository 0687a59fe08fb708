# CallScope image for docker-compose.yml: the API (`serve`), workers (`worker`) and one-off commands
# (`ingest`, `jobs`, `export`) all run from it. Models are not baked in: mount them at /models.
#
# Build stage: the full Debian image has the compilers better-sqlite3 falls back to when its
# prebuilt binary cannot be fetched, and the dev dependencies that build the web UI.
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# npm install, not npm ci (see scripts/install.sh); onnxruntime-node must not fetch CUDA builds.
RUN ONNXRUNTIME_NODE_INSTALL_CUDA=skip ONNXRUNTIME_NODE_INSTALL=skip npm_config_yes=true \
    npm install --no-audit --no-fund --loglevel=error
COPY . .
RUN npx vite build --config ui/vite.config.ts --logLevel warn \
 && npm prune --omit=dev --no-audit --no-fund --loglevel=error

FROM node:20-bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ffmpeg ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app /app
ENV NODE_ENV=production \
    CALLSCOPE_DATA=/data \
    CALLSCOPE_MODELS=/models \
    HOST=0.0.0.0 \
    PORT=8420
VOLUME ["/data"]
EXPOSE 8420
# The sources run through tsx (bin/callscope.js registers it): no separate compile step.
ENTRYPOINT ["node", "bin/callscope.js"]
CMD ["serve"]
