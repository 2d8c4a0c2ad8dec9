package dev.outboxrelay.consume;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.context.event.EventListener;

import dev.outboxrelay.completion.WorkCompleted;

/** Collects the {@link WorkCompleted} events the workers publish, as completion push will listen for them. */
public class CompletedWork {

    private final List<WorkCompleted> seen = new CopyOnWriteArrayList<>();

    @EventListener
    public void on(WorkCompleted completed) {
        seen.add(completed);
    }

    /** The completions of one dedupe key, in order. */
    public List<WorkCompleted> of(String dedupeKey) {
        return seen.stream().filter(completed -> dedupeKey.equals(completed.dedupeKey())).toList();
    }
}
