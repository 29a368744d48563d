# syntax=docker/dockerfile:1
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin opsdeck

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/opsdeck opsdeck && mkdir -p /var/lib/opsdeck && chown opsdeck /var/lib/opsdeck
COPY --from=build /src/target/release/opsdeck /usr/local/bin/opsdeck
USER opsdeck
WORKDIR /var/lib/opsdeck
ENV OPSDECK_BIND=0.0.0.0:8080 OPSDECK_STORAGE_DIR=/var/lib/opsdeck/storage OPSDECK_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK CMD ["/bin/sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080"]
ENTRYPOINT ["opsdeck"]
CMD ["serve"]
