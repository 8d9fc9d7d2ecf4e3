package org.astropt.stream.core.model;

/**
 * A checkpoint (config.json or safetensors) that cannot become this network: unreadable, or its
 * tensors do not match the config's names, shapes or dtypes. The message is one line, "input:
 * problem", listing every mismatch so one read tells the user what to fix.
 */
public class InvalidCheckpointException extends RuntimeException {

    private final String input;
    private final String problem;

    public InvalidCheckpointException(String input, String problem) {
        super(input + ": " + problem);
        this.input = input;
        this.problem = problem;
    }

    /** The file or directory that was read. */
    public String input() { return input; }

    /** What was wrong with it, without the input's name. */
    public String problem() { return problem; }
}
