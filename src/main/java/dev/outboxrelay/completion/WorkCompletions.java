package dev.outboxrelay.completion;

import java.util.List;

/**
 * Several {@link WorkCompleted} published at once by a worker that settles its work in batches (the job
 * workers). Published inside the worker's transaction, they are recorded in one statement that commits
 * with the work.
 *
 * @param works the completions, in the order their records are numbered
 */
public record WorkCompletions(List<WorkCompleted> works) {

    public WorkCompletions {
        works = List.copyOf(works);
    }
}
