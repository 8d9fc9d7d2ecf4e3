package org.astropt.stream.schemas;

import java.util.HexFormat;

/**
 * The header of a framed Avro value, as it arrives on a Kafka topic. Two framings are accepted:
 *
 * <ul>
 *   <li>Avro single-object encoding: {@code C3 01}, then the writer schema's 8-byte CRC-64-AVRO
 *       fingerprint (little-endian), then the binary body. What this project writes.
 *   <li>Confluent wire format: {@code 00}, then a 4-byte big-endian schema id, then the binary body.
 *       What Rubin's alert stream and Confluent serializers write.
 * </ul>
 *
 * <p>{@link #parse(byte[])} reads only the header; core's format sniffing can use it too.
 */
public sealed interface AvroFrame {

  /** Offset of the first byte of the Avro binary body. */
  int bodyOffset();

  /** Single-object encoding; the writer schema is named by its parsing fingerprint. */
  record SingleObject(long fingerprint) implements AvroFrame {
    public static final int HEADER_LENGTH = 10;

    @Override
    public int bodyOffset() {
      return HEADER_LENGTH;
    }
  }

  /** Confluent wire format; the writer schema is named by a registry id. */
  record Confluent(int schemaId) implements AvroFrame {
    public static final int HEADER_LENGTH = 5;

    @Override
    public int bodyOffset() {
      return HEADER_LENGTH;
    }
  }

  byte SINGLE_OBJECT_MAGIC_0 = (byte) 0xC3;
  byte SINGLE_OBJECT_MAGIC_1 = (byte) 0x01;
  byte CONFLUENT_MAGIC = 0x00;

  /** True when the bytes start like either framing; cheap, for sniffing before a full decode. */
  static boolean looksFramed(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      return false;
    }
    if (bytes[0] == CONFLUENT_MAGIC) {
      return bytes.length >= Confluent.HEADER_LENGTH;
    }
    return bytes.length >= SingleObject.HEADER_LENGTH
        && bytes[0] == SINGLE_OBJECT_MAGIC_0
        && bytes[1] == SINGLE_OBJECT_MAGIC_1;
  }

  /**
   * Reads the header of one framed value.
   *
   * @throws AvroDecodeException EMPTY, BAD_MAGIC or TRUNCATED (header shorter than its framing needs)
   */
  static AvroFrame parse(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      throw new AvroDecodeException(AvroDecodeException.Problem.EMPTY,
          "Avro message is empty: expected single-object encoding (C3 01 ...) or Confluent wire format (00 ...)");
    }
    if (bytes[0] == CONFLUENT_MAGIC) {
      if (bytes.length < Confluent.HEADER_LENGTH) {
        throw truncatedHeader(bytes.length, Confluent.HEADER_LENGTH, "a Confluent wire-format");
      }
      int id = ((bytes[1] & 0xFF) << 24) | ((bytes[2] & 0xFF) << 16) | ((bytes[3] & 0xFF) << 8) | (bytes[4] & 0xFF);
      return new Confluent(id);
    }
    if (bytes[0] == SINGLE_OBJECT_MAGIC_0) {
      if (bytes.length < 2) {
        throw truncatedHeader(bytes.length, SingleObject.HEADER_LENGTH, "a single-object");
      }
      if (bytes[1] != SINGLE_OBJECT_MAGIC_1) {
        throw badMagic(bytes);
      }
      if (bytes.length < SingleObject.HEADER_LENGTH) {
        throw truncatedHeader(bytes.length, SingleObject.HEADER_LENGTH, "a single-object");
      }
      long fingerprint = 0;
      for (int i = 9; i >= 2; i--) { // little-endian: byte 2 is the lowest
        fingerprint = (fingerprint << 8) | (bytes[i] & 0xFF);
      }
      return new SingleObject(fingerprint);
    }
    throw badMagic(bytes);
  }

  private static AvroDecodeException truncatedHeader(int length, int needed, String framing) {
    return new AvroDecodeException(AvroDecodeException.Problem.TRUNCATED,
        "Avro message is truncated: " + length + " byte(s), but " + framing + " header needs " + needed);
  }

  private static AvroDecodeException badMagic(byte[] bytes) {
    String start = HexFormat.ofDelimiter(" ").withUpperCase()
        .formatHex(bytes, 0, Math.min(bytes.length, 2));
    return new AvroDecodeException(AvroDecodeException.Problem.BAD_MAGIC,
        "Avro message starts with " + start
            + ", expected C3 01 (single-object encoding) or 00 (Confluent wire format)");
  }
}
