package dev.outboxrelay.manage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.apache.commons.logging.Log;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * Chooses the route files Camel loads: the packaged {@code routes/*.camel.yaml}, where a file of the
 * same name in {@code outbox.routes.external-dir} replaces the packaged one, plus any other route
 * files found there. The integration team changes a route by dropping a file in that folder and
 * restarting; no rebuild. Leaves an explicitly set {@code camel.main.routes-include-pattern} alone.
 */
public class RouteFiles implements EnvironmentPostProcessor, Ordered {

    static final String EXTERNAL_DIR = "outbox.routes.external-dir";
    static final String INCLUDE_PATTERN = "camel.main.routes-include-pattern";
    private static final String SUFFIX = ".camel.yaml";

    private final Log log;

    public RouteFiles(DeferredLogFactory logs) {
        this.log = logs.getLog(RouteFiles.class);
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.containsProperty(INCLUDE_PATTERN)) {
            return;
        }
        Map<String, String> files = new TreeMap<>();
        for (String name : packagedFiles()) {
            files.put(name, "classpath:routes/" + name);
        }
        String external = environment.getProperty(EXTERNAL_DIR, "");
        if (!external.isBlank()) {
            Path dir = Path.of(external.strip());
            if (!Files.isDirectory(dir)) {
                throw new IllegalStateException(EXTERNAL_DIR + " is '" + external + "', which is not a directory");
            }
            for (Path file : externalFiles(dir)) {
                String name = file.getFileName().toString();
                if (files.containsKey(name)) {
                    log.info("Route file " + name + " is overridden by " + file.toAbsolutePath());
                } else {
                    log.info("Adding route file " + file.toAbsolutePath());
                }
                files.put(name, "file:" + file.toAbsolutePath());
            }
        }
        List<String> locations = new ArrayList<>(files.values());
        environment.getPropertySources().addFirst(new MapPropertySource("outboxRouteFiles",
                Map.of(INCLUDE_PATTERN, String.join(",", locations))));
    }

    private static List<String> packagedFiles() {
        try {
            Resource[] resources = new PathMatchingResourcePatternResolver().getResources("classpath*:routes/*" + SUFFIX);
            List<String> names = new ArrayList<>();
            for (Resource resource : resources) {
                names.add(resource.getFilename());
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException("could not list the packaged route files", e);
        }
    }

    private static List<Path> externalFiles(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(path -> path.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("could not list " + dir, e);
        }
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
