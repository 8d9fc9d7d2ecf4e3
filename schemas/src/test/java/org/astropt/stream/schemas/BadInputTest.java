package org.astropt.stream.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.avro.message.SchemaStore;
import org.junit.jupiter.api.Test;

class BadInputTest {

  private final AvroCodec<Embedding> codec = AvroCodec.of(Embedding.class);

  @Test
  void emptyMessage() {
    assertProblem(AvroDecodeException.Problem.EMPTY, new byte[0]);
  }

  @Test
  void jsonIsNotAnAvroMessage() {
    AvroDecodeException e = assertProblem(AvroDecodeException.Problem.BAD_MAGIC,
        "{\"id\": \"DESI-0001\"}".getBytes(StandardCharsets.UTF_8));

    assertTrue(e.getMessage().contains("7B 22"), e.getMessage());
  }

  @Test
  void singleObjectMarkerWithAWrongVersionByte() {
    byte[] bytes = codec.encode(SampleRecords.embedding());
    bytes[1] = 0x02;

    assertProblem(AvroDecodeException.Problem.BAD_MAGIC, bytes);
  }

  @Test
  void headerCutShort() {
    byte[] bytes = codec.encode(SampleRecords.embedding());

    assertProblem(AvroDecodeException.Problem.TRUNCATED, Arrays.copyOf(bytes, 6));
    assertProblem(AvroDecodeException.Problem.TRUNCATED, Arrays.copyOf(bytes, 1));
  }

  @Test
  void bodyCutShort() {
    byte[] bytes = codec.encode(SampleRecords.embedding());

    AvroDecodeException e = assertProblem(AvroDecodeException.Problem.TRUNCATED,
        Arrays.copyOf(bytes, bytes.length - 3));

    assertTrue(e.getMessage().contains("Embedding"), e.getMessage());
  }

  @Test
  void headerWithoutABody() {
    byte[] bytes = codec.encode(SampleRecords.embedding());

    assertProblem(AvroDecodeException.Problem.TRUNCATED, Arrays.copyOf(bytes, 10));
  }

  @Test
  void unknownFingerprint() {
    byte[] bytes = codec.encode(SampleRecords.embedding());
    bytes[5] ^= 0x5A; // a writer schema nobody registered

    AvroDecodeException e = assertProblem(AvroDecodeException.Problem.UNKNOWN_FINGERPRINT, bytes);

    assertTrue(e.getMessage().contains("avro-history"), e.getMessage());
  }

  @Test
  void bytesLeftOverAfterTheRecord() {
    byte[] bytes = codec.encode(SampleRecords.embedding());

    assertProblem(AvroDecodeException.Problem.MALFORMED, Arrays.copyOf(bytes, bytes.length + 2));
  }

  @Test
  void aFlagIsNotReadAsAnEmbedding() {
    SchemaStore knowsFlags = SchemaHistory.of(Flag.getClassSchema());
    AvroCodec<Embedding> embeddings = AvroCodec.of(Embedding.class, knowsFlags, SchemaLookup.none());
    byte[] flag = AvroCodec.of(Flag.class).encode(SampleRecords.flag());

    AvroDecodeException e = assertThrows(AvroDecodeException.class, () -> embeddings.decode(flag));

    assertEquals(AvroDecodeException.Problem.WRONG_RECORD, e.problem());
    assertTrue(e.getMessage().contains("Flag"), e.getMessage());
  }

  @Test
  void encodingARecordWithARequiredFieldMissingSaysWhich() {
    Embedding broken = SampleRecords.embedding();
    broken.setModelName(null);

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> codec.encode(broken));

    assertTrue(e.getMessage().contains("modelName"), e.getMessage());
  }

  private AvroDecodeException assertProblem(AvroDecodeException.Problem problem, byte[] bytes) {
    AvroDecodeException e = assertThrows(AvroDecodeException.class, () -> codec.decode(bytes));
    assertEquals(problem, e.problem(), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    return e;
  }
}
