# The `tailguard` binary in a small image that runs as a non-root user (docs/distributed.md).
#   docker build -t tailguard .
#   docker run --rm tailguard run /scenarios/http-get.toml --target http://host:8080
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p tailguard \
 && strip target/release/tailguard

# distroless/cc: glibc and libgcc only, no shell, user 65532 ("nonroot").
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/tailguard /usr/local/bin/tailguard
COPY --from=build /src/scenarios/*.toml /scenarios/
USER 65532:65532
WORKDIR /tmp
ENTRYPOINT ["/usr/local/bin/tailguard"]
CMD ["--help"]
