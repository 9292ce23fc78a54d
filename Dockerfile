# Stepwise in a container: the release tarball (bin/stepwise and lib/) on a JRE, run as an
# unprivileged user. docs/operations.md (Containers, Kubernetes) explains the settings;
# DeployFilesTest checks the ports, paths and entry point below against the code.

# Build the release from this clone, as `mvn package` does outside a container.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml application.conf README.md SECURITY.md ./
COPY bin bin
COPY docs docs
COPY engine engine
COPY persistence persistence
COPY http http
COPY src/assembly src/assembly
RUN mvn -q -B package -DskipTests \
 && mkdir /release \
 && tar xzf target/stepwise-*.tar.gz -C /release --strip-components=1

FROM eclipse-temurin:17-jre
# curl for the health check; setsid (util-linux) and sh, which shell steps' watchdogs need,
# are in the base image
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 stepwise \
 && useradd --system --uid 10001 --gid stepwise --home-dir /opt/stepwise --no-create-home stepwise \
 && mkdir -p /var/lib/stepwise \
 && chown stepwise:stepwise /var/lib/stepwise
COPY --from=build /release /opt/stepwise
WORKDIR /opt/stepwise
# Listen on every interface inside the container; H2 (without STEPWISE_DB_URL) under the volume.
ENV STEPWISE_HTTP_HOST=0.0.0.0 \
    STEPWISE_DATA_DIR=/var/lib/stepwise
VOLUME /var/lib/stepwise
# API, cluster (Artery), Pekko Management (cluster bootstrap)
EXPOSE 8080 25520 7626
USER 10001
# alive, not ready: a node waiting for its database or cluster is not a dead container
HEALTHCHECK --interval=15s --timeout=5s --start-period=90s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${STEPWISE_HTTP_PORT:-8080}/health/alive" || exit 1
# exec form: SIGTERM reaches the JVM (the launcher execs it), which then leaves its cluster
ENTRYPOINT ["/opt/stepwise/bin/stepwise"]
CMD ["node"]
