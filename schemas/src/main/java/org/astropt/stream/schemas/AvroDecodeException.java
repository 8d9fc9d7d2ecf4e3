package org.astropt.stream.schemas;

/**
 * A Kafka value that could not be read as the expected Avro record. The message is one line naming
 * the record type and what is wrong with the bytes; {@link #problem()} lets a caller (the dead-letter
 * stage, a test) tell the cases apart without parsing text.
 */
public final class AvroDecodeException extends IllegalArgumentException {

  /** What was wrong with the bytes. */
  public enum Problem {
    /** Zero bytes: neither framing can start. */
    EMPTY,
    /** First bytes are neither C3 01 (single-object encoding) nor 00 (Confluent wire format). */
    BAD_MAGIC,
    /** Header or body ends before the record does. */
    TRUNCATED,
    /** Single-object fingerprint of a writer schema that is neither current nor in the schema history. */
    UNKNOWN_FINGERPRINT,
    /** Confluent schema id that the {@link SchemaLookup} does not know. */
    UNKNOWN_SCHEMA_ID,
    /** The writer schema is a different record type (e.g. a Flag where an Embedding was expected). */
    WRONG_RECORD,
    /** Same record type, but the writer schema cannot be resolved to the reader schema. */
    INCOMPATIBLE,
    /** The body does not decode with its writer schema, or has bytes left over after the record. */
    MALFORMED
  }

  private final Problem problem;

  public AvroDecodeException(Problem problem, String message) {
    this(problem, message, null);
  }

  public AvroDecodeException(Problem problem, String message, Throwable cause) {
    super(message, cause);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
