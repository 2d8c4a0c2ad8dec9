package dev.outboxrelay.api;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

import dev.outboxrelay.jobs.InvalidJobException;
import dev.outboxrelay.outbox.InvalidEventException;
import dev.outboxrelay.schema.SchemaViolationException;

/**
 * Turns refusals into answers: 400 naming the field and rule (or what made the body unreadable), 413 past
 * the body size cap, 415 for a body that is not JSON, 429/503 with Retry-After, 409 for a taken key.
 */
@RestControllerAdvice(basePackageClasses = ApiErrors.class)
public class ApiErrors {

    @ExceptionHandler(SchemaViolationException.class)
    ResponseEntity<ApiError> schemaViolation(SchemaViolationException e) {
        return ResponseEntity.badRequest()
                .body(new ApiError("invalid", e.getMessage(), e.field(), e.rule(), e.violations()));
    }

    @ExceptionHandler(InvalidEventException.class)
    ResponseEntity<ApiError> invalidEvent(InvalidEventException e) {
        return ResponseEntity.badRequest().body(new ApiError("invalid", e.getMessage(), e.field(), null, null));
    }

    @ExceptionHandler(InvalidJobException.class)
    ResponseEntity<ApiError> invalidJob(InvalidJobException e) {
        return ResponseEntity.badRequest().body(new ApiError("invalid", e.getMessage(), e.field(), null, null));
    }

    @ExceptionHandler({HttpMessageNotReadableException.class, MethodArgumentTypeMismatchException.class})
    ResponseEntity<ApiError> unreadable(Exception e) {
        if (e instanceof HttpMessageNotReadableException unreadable
                && unreadable.getMostSpecificCause() instanceof BodyTooLargeException tooLarge) {
            return ResponseEntity.status(HttpStatus.PAYLOAD_TOO_LARGE).body(ApiError.of("too-large", tooLarge.getMessage()));
        }
        String detail = e instanceof HttpMessageNotReadableException unreadable && unreadable.getMostSpecificCause() != null
                ? unreadable.getMostSpecificCause().getMessage() : e.getMessage();
        return ResponseEntity.badRequest().body(ApiError.of("invalid", "the request could not be read: " + detail));
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ApiError> unsupportedMediaType(HttpMediaTypeNotSupportedException e) {
        return ResponseEntity.status(HttpStatus.UNSUPPORTED_MEDIA_TYPE).body(ApiError.of("unsupported-media-type",
                "Content-Type '" + e.getContentType() + "' is not accepted: send application/json"));
    }

    @ExceptionHandler(IntakeOverloadedException.class)
    ResponseEntity<ApiError> overloaded(IntakeOverloadedException e) {
        return ResponseEntity.status(e.status())
                .header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, e.retryAfter().toSeconds())))
                .body(ApiError.of("overloaded", e.getMessage()));
    }

    @ExceptionHandler(DuplicateKeyException.class)
    ResponseEntity<ApiError> conflict(DuplicateKeyException e) {
        return ResponseEntity.status(HttpStatus.CONFLICT).body(ApiError.of("conflict", "already exists"));
    }
}
