package org.astropt.stream.server;

/** A request refused for a reason the client can act on: {@link #status} is the HTTP status, the message the one line to show. */
public final class ApiException extends RuntimeException {

    final int status;

    public ApiException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() { return status; }
}
