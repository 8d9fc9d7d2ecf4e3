package org.astropt.stream.kafka;

/**
 * A promote or rollback the model registry refused or could not write, with a one-line message that says
 * what to do instead. The HTTP API answers it as 404, 409 or 503; the CLI prints it and exits non-zero.
 */
public final class ModelRegistryException extends RuntimeException {

    /** Why it failed. */
    public enum Kind {
        /** No such version of the model. */
        NOT_FOUND,
        /** The version's status (or place below the serving one) does not allow the move. */
        CONFLICT,
        /** The models topic could not be read or written; nothing of the change was published. */
        UNAVAILABLE
    }

    private final Kind kind;

    public ModelRegistryException(Kind kind, String message) {
        this(kind, message, null);
    }

    public ModelRegistryException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() { return kind; }
}
