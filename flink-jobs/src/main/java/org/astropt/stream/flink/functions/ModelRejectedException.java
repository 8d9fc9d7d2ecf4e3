package org.astropt.stream.flink.functions;

/** A model version that must not serve; the message is one line naming the version and the problem. */
public final class ModelRejectedException extends RuntimeException {
    public ModelRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
