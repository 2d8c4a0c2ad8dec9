package dev.outboxrelay.completion;

import org.springframework.stereotype.Component;

import dev.outboxrelay.wake.WakeablePollScheduler;

/**
 * Runs the completion stream's read as soon as this instance recorded a completion, and otherwise every
 * {@code outbox.completions.poll-interval} (completions recorded by other instances).
 */
@Component("completionWakeScheduler")
public class CompletionWakeScheduler extends WakeablePollScheduler {

    public CompletionWakeScheduler(CompletionsProperties properties) {
        super("outbox-completions-poll", properties.pollInterval(), 1);
    }
}
