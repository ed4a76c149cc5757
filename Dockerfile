# syntax=docker/dockerfile:1
# One image for api, payments, worker and loadgen: compose chooses the entry point.
# Node runs the TypeScript sources directly (type stripping, Node >= 22.18), so the image ships the
# same files the tests ran; the build stage still type-checks them so a broken image cannot be built.
# The compose healthcheck, src/cli/healthcheck.mjs, is plain JavaScript: it starts every 10 s
# in each container, and a .ts file would load the type stripper in every one of those processes.

ARG NODE_IMAGE=node:24.21.0-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json --noEmit

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and only readable by the process: the unprivileged user that runs it cannot change
# its own code, even where compose's read-only root filesystem is not used. No secret is copied:
# secrets arrive as environment variables at run time (docs/security.md).
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/src ./src
USER node
EXPOSE 8080 8081 8082
# The same start command as `npm run start:api`; compose overrides it for payments, worker, loadgen.
CMD ["node", "--import", "./src/instrumentation.ts", "src/services/api.ts"]
