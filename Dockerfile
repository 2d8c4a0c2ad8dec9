# Multi-stage build of the relay: the JDK stage builds and splits the jar into Spring Boot's layers,
# the runtime stage is a JRE 17 with those layers in change-frequency order (dependencies first), so a
# code change rebuilds only the small top layer. Runs as a non-root user.
# Configuration comes from environment variables only (README: running the image); a folder mounted at
# /app/config may add an application.yaml for list settings (routing table, consumers, handlers).

FROM eclipse-temurin:17-jdk-noble AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
RUN ./mvnw -B -ntp -q dependency:go-offline
COPY src/ src/
# Extracted as a plain jar with its libraries next to it (lib/, on its manifest class path) rather than
# for the Spring Boot launcher: class-data sharing archives only classes that come from jars.
RUN ./mvnw -B -ntp -q package -DskipTests \
    && java -Djarmode=tools -jar target/outbox-relay-*.jar extract --layers --application-filename outbox-relay.jar \
       --destination /layers

# Ubuntu-based on purpose: the health check below needs only bash, head and grep, which every Ubuntu
# image has, so no HTTP client is installed
FROM eclipse-temurin:17-jre-noble
RUN groupadd --system --gid 10001 relay \
    && useradd --system --uid 10001 --gid 10001 --home-dir /app --shell /usr/sbin/nologin relay
WORKDIR /app
COPY --from=build /layers/dependencies/ ./
COPY --from=build /layers/snapshot-dependencies/ ./
COPY --from=build /layers/application/ ./
# The class-data sharing archive's folder: mount a volume here and write the archive once with the
# training run in the README ("Start-up"); the relay then starts about a quarter faster. Without an
# archive (or with one from another image) it starts as it would without the option.
RUN mkdir /app/cds && chown 10001:10001 /app/cds
USER 10001:10001
EXPOSE 8080
# Route files in this folder replace the packaged ones of the same name (outbox.routes.external-dir).
ENV OUTBOX_ROUTES_EXTERNALDIR=""
# Ready = the database answers and Camel has started its routes. A plain HTTP/1.0 request over bash's
# /dev/tcp; healthy only on a 200 status line.
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${SERVER_PORT:-8080} && printf 'GET /actuator/health/readiness HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q '^HTTP/1\\.[01] 200 '"]
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-XX:SharedArchiveFile=/app/cds/relay.jsa", "-Xshare:auto", "-jar", "outbox-relay.jar"]
