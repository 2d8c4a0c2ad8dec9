package dev.outboxrelay.schema;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where the event schemas are. Each location holds one folder per topic with one file per version:
 * {@code <location>/<topic>/v<version>.json}, a JSON Schema (draft 2020-12 unless the file's
 * {@code $schema} says otherwise).
 *
 * @param locations Spring resource locations, e.g. {@code classpath*:schemas/} or {@code file:/etc/outbox/schemas/}
 */
@ConfigurationProperties("outbox.schemas")
@Validated
public record SchemaProperties(@DefaultValue("classpath*:schemas/") List<String> locations) {
}
