package dev.outboxrelay.relay;

/** Turns a send failure into the one line stored as the event's last_error. */
final class SendFailures {

    private SendFailures() {
    }

    /** The failure and, when it wraps something, its root cause: the part that explains it. */
    static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getClass().getSimpleName() + ": " + root.getMessage();
        return root == failure ? text : failure.getClass().getSimpleName() + " caused by " + text;
    }
}
