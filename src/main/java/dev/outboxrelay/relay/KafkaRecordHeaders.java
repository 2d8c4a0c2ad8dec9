package dev.outboxrelay.relay;

import org.apache.camel.Exchange;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.springframework.stereotype.Component;

/**
 * Which headers of a record exchange become Kafka record headers: all but Camel's own and the Kafka
 * component's (key, topic override), the same rule as camel-kafka's default strategy.
 *
 * <p>Why a strategy of its own: the default lower-cases every header name and matches it against its
 * prefixes and filter sets, for each of the seven or more headers of every record; that was 13% of the
 * relay's sending threads in a drain to Kafka. This one compares the prefixes in place.
 */
@Component("kafkaRecordHeaders")
public class KafkaRecordHeaders implements HeaderFilterStrategy {

    private static final String[] FILTERED_PREFIXES = {"camel", "org.apache.camel.", "kafka."};

    @Override
    public boolean applyFilterToCamelHeaders(String headerName, Object headerValue, Exchange exchange) {
        return filtered(headerName);
    }

    @Override
    public boolean applyFilterToExternalHeaders(String headerName, Object headerValue, Exchange exchange) {
        return filtered(headerName);
    }

    static boolean filtered(String headerName) {
        for (String prefix : FILTERED_PREFIXES) {
            if (headerName.regionMatches(true, 0, prefix, 0, prefix.length())) {
                return true;
            }
        }
        return false;
    }
}
