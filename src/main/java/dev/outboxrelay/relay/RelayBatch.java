package dev.outboxrelay.relay;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.outboxrelay.routing.Broker;
import dev.outboxrelay.routing.Destination;

/**
 * One claimed batch, sent in waves so that per-aggregate order holds even when a send fails.
 *
 * <p>A wave takes, for every aggregate, the next event whose predecessor in this batch was
 * acknowledged, so a failed send can never let a later event of that aggregate through. Once an
 * event fails, the rest of its aggregate is held: released unsent, to be claimed again after the
 * failed one succeeds. Events of different aggregates go out together, so a batch over many
 * aggregates is sent in one wave.
 *
 * <p>With {@code outbox.relay.kafka-pipelining} a Kafka wave instead takes the whole run of an
 * aggregate's next events for one topic: they share a partition and the idempotent producer keeps
 * them in order, which is much faster for a few busy aggregates. The price: should the broker reject
 * one record for good (a size limit below the relay's own check), later records of that aggregate
 * in the same run may already be written.
 */
public final class RelayBatch {

    static final int SQS_MAX_BATCH = 10;

    private final List<RelayEvent> events;
    private final Map<String, Deque<RelayEvent>> pending = new LinkedHashMap<>();
    private final Map<String, RelayEvent> lastTaken = new HashMap<>();
    private final boolean pipelineKafka;
    private final long openedNanos = System.nanoTime();
    private long settledNanos;
    private int waves;

    /**
     * @param events        the claimed events in seq order, already checked (a failed check is a FAILED outcome)
     * @param pipelineKafka whether a Kafka wave may carry several events of one aggregate
     */
    RelayBatch(List<RelayEvent> events, boolean pipelineKafka) {
        this.events = List.copyOf(events);
        this.pipelineKafka = pipelineKafka;
        for (RelayEvent event : this.events) {
            pending.computeIfAbsent(event.aggregateId(), key -> new ArrayDeque<>()).add(event);
        }
    }

    public List<RelayEvent> events() {
        return events;
    }

    public int size() {
        return events.size();
    }

    public int waves() {
        return waves;
    }

    /** Whether another wave has something to send; holds what can no longer go first. */
    public boolean hasNextWave() {
        holdBehindFailures();
        return !pending.isEmpty();
    }

    /** The send units of the next wave; may be empty when this wave only found failed checks. */
    public List<SendUnit> nextWave() {
        holdBehindFailures();
        waves++;
        Map<Destination, List<RelayEvent>> streams = new LinkedHashMap<>();
        List<RelayEvent> singles = new ArrayList<>();
        for (Map.Entry<String, Deque<RelayEvent>> entry : pending.entrySet()) {
            Deque<RelayEvent> queue = entry.getValue();
            RelayEvent head = queue.poll();
            lastTaken.put(entry.getKey(), head);
            if (head.outcome() != RelayEvent.Outcome.PENDING) {
                continue; // failed its check: the next wave holds the rest of the aggregate
            }
            Destination destination = head.destination();
            if (destination.broker() == Broker.KAFKA) {
                List<RelayEvent> stream = streams.computeIfAbsent(destination, key -> new ArrayList<>());
                stream.add(head);
                while (pipelineKafka && !queue.isEmpty() && queue.peek().outcome() == RelayEvent.Outcome.PENDING
                        && destination.equals(queue.peek().destination())) {
                    RelayEvent next = queue.poll();
                    stream.add(next);
                    lastTaken.put(entry.getKey(), next);
                }
            } else {
                singles.add(head);
            }
        }
        pending.values().removeIf(Deque::isEmpty);
        return units(streams, singles);
    }

    private static List<SendUnit> units(Map<Destination, List<RelayEvent>> streams, List<RelayEvent> singles) {
        List<SendUnit> units = new ArrayList<>();
        streams.forEach((destination, stream) -> units.add(new SendUnit(destination, stream)));
        Map<Destination, List<RelayEvent>> queues = new LinkedHashMap<>();
        for (RelayEvent event : singles) {
            if (event.destination().broker() == Broker.SQS) {
                queues.computeIfAbsent(event.destination(), key -> new ArrayList<>()).add(event);
            } else {
                units.add(new SendUnit(event.destination(), List.of(event)));
            }
        }
        queues.forEach((destination, queued) -> {
            for (int from = 0; from < queued.size(); from += SQS_MAX_BATCH) {
                units.add(new SendUnit(destination, queued.subList(from, Math.min(queued.size(), from + SQS_MAX_BATCH))));
            }
        });
        return units;
    }

    private void holdBehindFailures() {
        Iterator<Map.Entry<String, Deque<RelayEvent>>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Deque<RelayEvent>> entry = it.next();
            RelayEvent last = lastTaken.get(entry.getKey());
            if (last != null && last.outcome() != RelayEvent.Outcome.PUBLISHED) {
                entry.getValue().forEach(RelayEvent::held);
                it.remove();
            }
        }
    }

    /** What to write back once every wave has run. */
    public Settlement settlement() {
        holdBehindFailures();
        settledNanos = System.nanoTime();
        return Settlement.of(events);
    }

    long openedNanos() {
        return openedNanos;
    }

    long settledNanos() {
        return settledNanos;
    }

    /**
     * Events acknowledged after an earlier event of their aggregate failed in the same Kafka stream.
     * The idempotent producer makes this all but impossible; it is counted so it can be seen.
     */
    public int publishedOutOfOrder() {
        Map<String, Boolean> failedBefore = new HashMap<>();
        int count = 0;
        for (RelayEvent event : events) {
            if (event.outcome() == RelayEvent.Outcome.FAILED) {
                failedBefore.put(event.aggregateId(), true);
            } else if (event.outcome() == RelayEvent.Outcome.PUBLISHED
                    && failedBefore.getOrDefault(event.aggregateId(), false)) {
                count++;
            }
        }
        return count;
    }
}
