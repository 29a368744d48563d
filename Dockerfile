# syntax=docker/dockerfile:1
# opsdeck in one image: the API, the worker and the single-page app.
#   docker build -t opsdeck .
#   docker run -e OPSDECK_DATABASE_URL=postgres://... -p 8080:8080 opsdeck          (serve)
#   docker run ... opsdeck worker | opsdeck migrate | opsdeck user create ...

# 1. The single-page app: dependencies exactly as locked, then the production build.
FROM node:20-bookworm-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# 2. The binary. Dependencies are built first against stub sources, in a layer of their own
#    that only a change of Cargo.toml or Cargo.lock rebuilds; then the real sources.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY crates/domain/Cargo.toml crates/domain/
COPY crates/api/Cargo.toml crates/api/
COPY crates/worker/Cargo.toml crates/worker/
COPY crates/seed/Cargo.toml crates/seed/
COPY migrations/Cargo.toml migrations/
COPY bench/Cargo.toml bench/
RUN for lib in crates/domain crates/api crates/worker crates/seed migrations; do mkdir -p "$lib/src" && touch "$lib/src/lib.rs"; done \
    && mkdir -p src bench/src tests/api \
    && echo 'fn main() {}' > src/main.rs && cp src/main.rs bench/src/main.rs && cp src/main.rs tests/api/main.rs \
    && cargo build --release --locked --bin opsdeck \
    && rm -rf src bench/src tests crates/*/src migrations/src
COPY . .
# The stubs' build outputs are older than the real sources: touch them so cargo rebuilds ours.
RUN touch src/main.rs crates/*/src/lib.rs migrations/src/lib.rs \
    && cargo build --release --locked --bin opsdeck

# 3. The runtime: Debian slim, CA certificates (PostgreSQL and S3 over TLS), a non-root user
#    that owns its data directory (the generated signing key, local export files).
FROM debian:bookworm-slim AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 opsdeck \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/opsdeck opsdeck \
    && mkdir -p /var/lib/opsdeck/storage \
    && chown -R 10001:10001 /var/lib/opsdeck
COPY --from=build /src/target/release/opsdeck /usr/local/bin/opsdeck
COPY --from=frontend /src/frontend/dist /usr/share/opsdeck/static
# Numeric, so that Kubernetes can check runAsNonRoot without looking the name up.
USER 10001:10001
WORKDIR /var/lib/opsdeck
ENV OPSDECK_BIND=0.0.0.0:8080 \
    OPSDECK_WORKER_BIND=0.0.0.0:8081 \
    OPSDECK_STORAGE_DIR=/var/lib/opsdeck/storage \
    OPSDECK_STATIC_DIR=/usr/share/opsdeck/static \
    OPSDECK_LOG_FORMAT=json
VOLUME ["/var/lib/opsdeck/storage"]
EXPOSE 8080 8081
# No shell or curl in the image: the binary asks its own /readyz (OPSDECK_BIND). A worker
# container checks its probe port instead: `opsdeck healthcheck --address 127.0.0.1:8081`.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["opsdeck", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["opsdeck"]
CMD ["serve"]
