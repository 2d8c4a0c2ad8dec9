package dev.outboxrelay.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;

import dev.outboxrelay.outbox.EventValidator;
import dev.outboxrelay.outbox.InvalidEventException;
import dev.outboxrelay.outbox.OutboxEvent;

/**
 * The JSON Schemas of event payloads, one per topic and version, read at start-up from
 * {@code outbox.schemas.locations} ({@code <location>/<topic>/v<version>.json}).
 *
 * <p>Schemas are opt-in per topic: a topic without schema files takes any JSON object, as before. For
 * a topic with schemas, an event must name a version that has one and its payload must satisfy it:
 * {@link dev.outboxrelay.outbox.OutboxWriter} asks this class for every event, so both the Java API and
 * the HTTP intake refuse an invalid event before anything is written. Consumers ask
 * {@link #knows(String, int)} to refuse versions they do not understand.
 *
 * <p>At start-up each version is checked against the one before it ({@link SchemaCompatibility}); a
 * version that would break consumers stops the service, naming the file and the change.
 */
@Component
public class EventSchemas implements EventValidator {

    private static final Logger log = LoggerFactory.getLogger(EventSchemas.class);
    private static final Pattern FILE = Pattern.compile(".*/([A-Za-z0-9._-]{1,200})/v([1-9][0-9]{0,5})\\.json");

    private final Map<String, NavigableMap<Integer, TopicSchema>> topics;
    private final ObjectMapper json;
    private final JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private final SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
            .formatAssertionsEnabled(true)
            .build();

    public EventSchemas(SchemaProperties properties, ObjectMapper json) {
        this.json = json;
        Map<String, NavigableMap<Integer, TopicSchema>> loaded = new TreeMap<>();
        for (String location : properties.locations()) {
            load(location, json, loaded);
        }
        List<String> problems = new ArrayList<>();
        loaded.forEach((topic, versions) -> {
            TopicSchema previous = null;
            for (TopicSchema schema : versions.values()) {
                if (previous != null) {
                    for (String change : SchemaCompatibility.breakingChanges(previous.document(), schema.document())) {
                        problems.add(schema.source() + " would break consumers of v" + previous.version() + ": " + change);
                    }
                }
                previous = schema;
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Incompatible event schemas (outbox.schemas.locations): "
                    + String.join("; ", problems));
        }
        this.topics = Collections.unmodifiableMap(loaded);
        if (!loaded.isEmpty()) {
            log.info("Event schemas: {}", catalogue());
        }
    }

    private void load(String location, ObjectMapper json, Map<String, NavigableMap<Integer, TopicSchema>> loaded) {
        String base = location.endsWith("/") ? location : location + "/";
        Resource[] resources;
        try {
            resources = new PathMatchingResourcePatternResolver().getResources(base + "*/v*.json");
        } catch (IOException e) {
            throw new IllegalStateException("outbox.schemas.locations: cannot read " + location + ": " + e.getMessage(), e);
        }
        for (Resource resource : resources) {
            String source = describe(resource);
            Matcher name = FILE.matcher(source.replace('\\', '/'));
            if (!name.matches()) {
                throw new IllegalStateException("Event schema " + source + " is not named <topic>/v<version>.json");
            }
            String topic = name.group(1);
            int version = Integer.parseInt(name.group(2));
            JsonNode document;
            try (InputStream in = resource.getInputStream()) {
                document = json.readTree(in);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("Event schema " + source + " is not valid JSON: " + e.getOriginalMessage(), e);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read event schema " + source, e);
            }
            if (document == null || !document.isObject()) {
                throw new IllegalStateException("Event schema " + source + " must be a JSON object");
            }
            JsonSchema schema;
            try {
                schema = factory.getSchema(document, config);
                schema.initializeValidators();
            } catch (RuntimeException e) {
                throw new IllegalStateException("Event schema " + source + " is not a usable JSON Schema: "
                        + e.getMessage(), e);
            }
            TopicSchema previous = loaded.computeIfAbsent(topic, key -> new TreeMap<>())
                    .put(version, new TopicSchema(topic, version, source, document, schema));
            if (previous != null) {
                throw new IllegalStateException("Event schema " + topic + " v" + version + " is defined twice: "
                        + previous.source() + " and " + source);
            }
        }
    }

    private static String describe(Resource resource) {
        try {
            return resource.getURL().toString();
        } catch (IOException e) {
            return resource.getDescription();
        }
    }

    /** Whether the topic has schemas at all; a topic without any takes every JSON object. */
    public boolean hasSchemas(String topic) {
        return topics.containsKey(topic);
    }

    /**
     * Whether events of this topic and version can be understood: true when the version has a schema,
     * and for every version of a topic without schemas. Consumers refuse an event when this is false.
     */
    public boolean knows(String topic, int version) {
        NavigableMap<Integer, TopicSchema> versions = topics.get(topic);
        return versions == null || versions.containsKey(version);
    }

    /** The versions that have a schema, oldest first; empty for a topic without schemas. */
    public List<Integer> versions(String topic) {
        NavigableMap<Integer, TopicSchema> versions = topics.get(topic);
        return versions == null ? List.of() : List.copyOf(versions.keySet());
    }

    /** Every topic with schemas and its versions. */
    public SortedMap<String, List<Integer>> catalogue() {
        SortedMap<String, List<Integer>> catalogue = new TreeMap<>();
        topics.forEach((topic, versions) -> catalogue.put(topic, List.copyOf(versions.keySet())));
        return catalogue;
    }

    /** The schema document of a topic's version, if there is one. */
    public JsonNode document(String topic, int version) {
        NavigableMap<Integer, TopicSchema> versions = topics.get(topic);
        TopicSchema schema = versions == null ? null : versions.get(version);
        return schema == null ? null : schema.document();
    }

    /**
     * What a candidate for the topic's next version would break, checked against its latest version;
     * empty when it is compatible (or the topic has no schemas yet).
     */
    public List<String> checkCandidate(String topic, JsonNode candidate) {
        NavigableMap<Integer, TopicSchema> versions = topics.get(topic);
        if (versions == null) {
            return List.of();
        }
        return SchemaCompatibility.breakingChanges(versions.lastEntry().getValue().document(), candidate);
    }

    /**
     * Checks a payload against the schema of its topic and version.
     *
     * @throws UnknownSchemaVersionException when the topic has schemas but not this version
     * @throws SchemaViolationException      naming the failing field and rule
     */
    public void validate(String topic, int version, JsonNode payload) {
        validate(topic, version, payload, "");
    }

    /** As {@link #validate(String, int, JsonNode)}, for a payload given as JSON text. */
    public void validate(String topic, int version, String payload) {
        try {
            validate(topic, version, json.readTree(payload), "");
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("payload", "is not valid JSON: " + e.getOriginalMessage());
        }
    }

    @Override
    public void validate(OutboxEvent event, JsonNode payload, String where) {
        validate(event.topic(), event.schemaVersion(), payload, where);
    }

    private void validate(String topic, int version, JsonNode payload, String where) {
        NavigableMap<Integer, TopicSchema> versions = topics.get(topic);
        if (versions == null) {
            return;
        }
        TopicSchema schema = versions.get(version);
        if (schema == null) {
            throw new UnknownSchemaVersionException(where + "schemaVersion", topic, version, versions.keySet());
        }
        Set<ValidationMessage> messages = schema.validator().validate(payload);
        if (messages.isEmpty()) {
            return;
        }
        List<SchemaViolation> violations = new ArrayList<>();
        for (ValidationMessage message : messages) {
            violations.add(toViolation(message, where));
        }
        violations.sort(Comparator.comparing(SchemaViolation::field).thenComparing(SchemaViolation::rule));
        throw new SchemaViolationException(topic, version, violations);
    }

    private static SchemaViolation toViolation(ValidationMessage message, String where) {
        StringBuilder field = new StringBuilder(where).append("payload");
        JsonNodePath location = message.getInstanceLocation();
        for (int i = 0; i < location.getNameCount(); i++) {
            Object element = location.getElement(i);
            if (element instanceof Integer index) {
                field.append('[').append(index).append(']');
            } else {
                field.append('.').append(element);
            }
        }
        String rule = message.getType();
        String property = message.getProperty();
        String text;
        if ("required".equals(rule) && property != null) {
            field.append('.').append(property);
            text = "is required";
        } else if ("additionalProperties".equals(rule) && property != null) {
            field.append('.').append(property);
            text = "is not allowed (no such property in the schema)";
        } else {
            text = stripLocation(message);
        }
        return new SchemaViolation(field.toString(), rule, text);
    }

    /** The library's message without its leading instance location ("$.email: "). */
    private static String stripLocation(ValidationMessage message) {
        String text = message.getMessage();
        String prefix = message.getInstanceLocation() + ": ";
        return text.startsWith(prefix) ? text.substring(prefix.length()) : text;
    }

    private record TopicSchema(String topic, int version, String source, JsonNode document, JsonSchema validator) {
    }
}
