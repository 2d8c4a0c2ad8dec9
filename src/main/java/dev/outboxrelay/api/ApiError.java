package dev.outboxrelay.api;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.outboxrelay.schema.SchemaViolation;

/**
 * The body of a refusal.
 *
 * @param error      a short code: {@code invalid}, {@code overloaded}, {@code not-found}, {@code conflict}
 * @param message    what is wrong, in words (for a refused field: {@code <field>: <rule broken>})
 * @param field      the failing field, when one is to blame
 * @param rule       the schema rule that failed, for a schema violation
 * @param violations every schema violation found
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String error, String message, String field, String rule, List<SchemaViolation> violations) {

    static ApiError of(String error, String message) {
        return new ApiError(error, message, null, null, null);
    }
}
