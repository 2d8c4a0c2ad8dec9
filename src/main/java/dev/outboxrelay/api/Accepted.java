package dev.outboxrelay.api;

/**
 * The answer to accepted work: 202 with this body and a Location header pointing at {@code statusUrl}.
 *
 * @param id             the event's or job's id
 * @param created        false when the same dedupe or unique key had already been accepted: this is the first one
 * @param statusUrl      where to look the work up
 * @param completionsUrl a server-sent-event stream that reports the work's completion
 */
public record Accepted(String id, boolean created, String statusUrl, String completionsUrl) {
}
