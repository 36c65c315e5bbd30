# The `tailguard` binary in a small image that runs as a non-root user (docs/distributed.md).
#   docker build -t tailguard .
#   docker run --rm tailguard run /scenarios/http-get.toml --target http://host:8080
FROM rust:1-slim-bookworm AS build
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /src
# Dependencies first, in a layer of their own: rebuilt only when a manifest or Cargo.lock
# changes. Every workspace member gets empty stand-in targets so cargo can load the workspace
# (a bench stand-in for each `[[bench]]` its manifest declares).
COPY Cargo.toml Cargo.lock ./
COPY bench-core/Cargo.toml bench-core/
COPY runner/Cargo.toml runner/
COPY scenarios/Cargo.toml scenarios/
COPY benches/Cargo.toml benches/
COPY runner/tests/fixtures/criterion-fixture/Cargo.toml runner/tests/fixtures/criterion-fixture/
RUN for lib in bench-core runner scenarios benches runner/tests/fixtures/criterion-fixture; do \
      mkdir -p "$lib/src" && touch "$lib/src/lib.rs"; \
    done \
 && for bin in runner scenarios; do echo 'fn main() {}' > "$bin/src/main.rs"; done \
 && for manifest in bench-core runner scenarios benches runner/tests/fixtures/criterion-fixture; do \
      sed -n '/^\[\[bench\]\]/,/^name/ s/^name *= *"\(.*\)"/\1/p' "$manifest/Cargo.toml" \
        | while read -r bench; do \
            mkdir -p "$manifest/benches" && echo 'fn main() {}' > "$manifest/benches/$bench.rs"; \
          done; \
    done \
 && cargo build --release --locked -p tailguard \
 && rm -rf bench-core/src runner/src scenarios/src benches/src
# The sources; their mtimes are newer than the stand-ins', so only the workspace crates rebuild.
COPY . .
RUN touch bench-core/src/lib.rs runner/src/lib.rs runner/src/main.rs scenarios/src/lib.rs \
 && cargo build --release --locked -p tailguard \
 && strip target/release/tailguard

# distroless/cc: glibc and libgcc only, no shell, user 65532 ("nonroot").
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/tailguard /usr/local/bin/tailguard
# Every example scenario with the assets they name (proto/, data/, queries/).
COPY --from=build /src/scenarios/*.toml /scenarios/
COPY --from=build /src/scenarios/proto /scenarios/proto
COPY --from=build /src/scenarios/data /scenarios/data
COPY --from=build /src/scenarios/queries /scenarios/queries
USER 65532:65532
WORKDIR /tmp
ENTRYPOINT ["/usr/local/bin/tailguard"]
CMD ["--help"]
