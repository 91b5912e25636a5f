package io.ctagent.change;

/**
 * Thrown by a change's apply step when a step on the host failed and the change has undone what it
 * could: the pipeline records {@link #done()} as the outcome and answers with it (its answer throws
 * the problem the caller gets).
 */
public final class ChangeFailure extends RuntimeException {

    private final transient Done<?> done;

    public ChangeFailure(Done<?> done) {
        super(done.reason(), null, false, false);
        this.done = done;
    }

    public Done<?> done() {
        return done;
    }
}
