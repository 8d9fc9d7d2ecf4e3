package org.astropt.stream.core;

/**
 * Input that cannot become a cutout: unreadable, hostile, or outside the configured limits. Its
 * message is one line that names the input and the problem, ready for a user or a dead letter.
 */
public class InvalidCutoutException extends RuntimeException {

    private final String input;
    private final String problem;

    public InvalidCutoutException(String input, String problem) {
        this(input, problem, null);
    }

    public InvalidCutoutException(String input, String problem, Throwable cause) {
        super(input + ": " + problem, cause);
        this.input = input;
        this.problem = problem;
    }

    /** What was being read: a file name, an object id, a topic/partition/offset. */
    public String input() { return input; }

    /** What was wrong with it, without the input's name. */
    public String problem() { return problem; }
}
