package dev.outboxrelay.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

/** The rules that decide whether a new schema version would break the consumers of the one before. */
class SchemaCompatibilityTest {

    private static final String V1 = """
            {"type": "object", "required": ["id"],
             "properties": {
               "id": {"type": "string"},
               "total": {"type": "number"},
               "count": {"type": "integer"},
               "status": {"enum": ["new", "paid"]},
               "address": {"type": "object", "properties": {"city": {"type": "string"}}},
               "lines": {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}}}}
             }}
            """;

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void addingAnOptionalFieldAndWideningAreCompatible() {
        assertThat(changes(V1, V1.replace("\"id\": {\"type\": \"string\"},",
                "\"id\": {\"type\": \"string\"}, \"coupon\": {\"type\": \"string\"},")
                .replace("\"count\": {\"type\": \"integer\"}", "\"count\": {\"type\": \"number\"}")
                .replace("[\"new\", \"paid\"]", "[\"new\", \"paid\", \"refunded\"]"))).isEmpty();
    }

    @Test
    void removingAFieldBreaksConsumers() {
        assertThat(changes(V1, V1.replace("\"total\": {\"type\": \"number\"},", "")))
                .containsExactly("payload.total: property removed");
    }

    @Test
    void makingAFieldRequiredBreaksConsumers() {
        assertThat(changes(V1, V1.replace("\"required\": [\"id\"]", "\"required\": [\"id\", \"total\"]")))
                .containsExactly("payload.total: property made required");
    }

    @Test
    void narrowingATypeBreaksConsumers() {
        assertThat(changes(V1, V1.replace("\"total\": {\"type\": \"number\"}", "\"total\": {\"type\": \"integer\"}")))
                .containsExactly("payload.total: type narrowed from number to integer");
    }

    @Test
    void droppingAnEnumValueBreaksConsumers() {
        assertThat(changes(V1, V1.replace("[\"new\", \"paid\"]", "[\"new\"]")))
                .containsExactly("payload.status: enum value \"paid\" removed");
    }

    @Test
    void forbiddingAdditionalPropertiesBreaksConsumers() {
        assertThat(changes(V1, V1.replace("{\"type\": \"object\", \"required\"",
                "{\"type\": \"object\", \"additionalProperties\": false, \"required\"")))
                .containsExactly("payload: additional properties no longer allowed");
    }

    @Test
    void nestedObjectsAndArrayItemsFollowTheSameRules() {
        assertThat(changes(V1, V1.replace("\"properties\": {\"city\": {\"type\": \"string\"}}",
                        "\"properties\": {}, \"required\": [\"zip\"]")
                .replace("\"sku\": {\"type\": \"string\"}", "\"sku\": {\"type\": \"integer\"}")))
                .containsExactlyInAnyOrder("payload.address.city: property removed",
                        "payload.address.zip: property made required",
                        "payload.lines[].sku: type narrowed from string to integer");
    }

    private java.util.List<String> changes(String previous, String next) {
        try {
            JsonNode before = json.readTree(previous);
            JsonNode after = json.readTree(next);
            return SchemaCompatibility.breakingChanges(before, after);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
