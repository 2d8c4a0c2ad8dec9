package dev.outboxrelay.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import dev.outboxrelay.support.FreePorts;

/**
 * An embedded PostgreSQL of the suite's own that can be stopped and started again for real: the same
 * port and data directory, so clients reconnect to the same database with everything committed before.
 */
final class RestartablePostgres implements AutoCloseable {

    private final int port;
    private final Path dataDirectory;
    private EmbeddedPostgres server;

    private RestartablePostgres(int port, Path dataDirectory) {
        this.port = port;
        this.dataDirectory = dataDirectory;
    }

    static RestartablePostgres start() throws IOException {
        RestartablePostgres postgres = new RestartablePostgres(FreePorts.next(),
                Files.createTempDirectory("outbox-faults-pg"));
        postgres.startServer();
        return postgres;
    }

    synchronized void startServer() throws IOException {
        server = EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setServerConfig("max_connections", "300")
                .start();
    }

    /** A fast shutdown: sessions are ended, open transactions roll back, the server process exits. */
    synchronized void stopServer() throws IOException {
        server.close();
        server = null;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    int port() {
        return port;
    }

    @Override
    public synchronized void close() throws IOException {
        if (server != null) {
            stopServer();
        }
        try (Stream<Path> files = Files.walk(dataDirectory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}
