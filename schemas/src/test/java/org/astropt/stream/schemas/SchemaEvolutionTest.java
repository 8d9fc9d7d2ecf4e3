package org.astropt.stream.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;

class SchemaEvolutionTest {

  @Test
  void newerReaderReadsWhatTheCurrentSchemaWrote() {
    Embedding written = SampleRecords.embedding();
    byte[] bytes = AvroCodec.of(Embedding.class).encode(written);
    // The future: v2 is current and today's schema has moved into its history.
    AvroCodec<GenericRecord> v2 = AvroCodec.generic(EvolutionSchemas.embeddingV2(),
        SchemaHistory.of(Embedding.getClassSchema()), SchemaLookup.none());

    GenericRecord read = v2.decode(bytes);

    assertNull(read.get("tokenCount"));
    assertEquals(new Utf8("DESI-0001"), read.get("id"));
    assertEquals(7L, read.get("modelVersion"));
    assertEquals(List.of(0.5f, -1.25f, 3.0f, Float.MIN_VALUE), read.get("vector"));
    assertEquals(0.875f, read.get("surprise"));
    assertEquals(SampleRecords.PRODUCED.toEpochMilli(), ((GenericRecord) read.get("timings")).get("producedTime"));
  }

  @Test
  void newerWriterIsReadByTheCurrentReaderOnceItsSchemaIsKnown() {
    Schema v2 = EvolutionSchemas.embeddingV2();
    GenericRecord newer = new GenericData.Record(v2);
    Embedding current = SampleRecords.embedding();
    for (Schema.Field field : Embedding.getClassSchema().getFields()) {
      newer.put(field.name(), GenericData.get().deepCopy(field.schema(), genericValue(current, field.name())));
    }
    newer.put("tokenCount", 64);
    byte[] bytes = AvroCodec.generic(v2, SchemaHistory.of(), SchemaLookup.none()).encode(newer);

    Embedding read = AvroCodec.of(Embedding.class, SchemaHistory.of(v2), SchemaLookup.none()).decode(bytes);

    assertEquals(current, read); // tokenCount is skipped
  }

  @Test
  void currentReaderReadsAnOlderWriterFromTheSchemaHistory() {
    Schema v0 = EvolutionSchemas.embeddingV0();
    byte[] bytes = AvroCodec.generic(v0, SchemaHistory.of(), SchemaLookup.none())
        .encode(EvolutionSchemas.embeddingV0Record(v0));
    AvroCodec<Embedding> codec = AvroCodec.of(Embedding.class,
        SchemaHistory.load(EvolutionSchemas.TEST_HISTORY, getClass().getClassLoader()), SchemaLookup.none());

    Embedding read = codec.decode(bytes);

    assertEquals("DESI-0042", read.getId());
    assertEquals(3L, read.getModelVersion());
    assertEquals(List.of(1.5f, -2.5f), read.getVector());
    assertEquals(0.125f, read.getSurprise());
    assertEquals(33L, read.getTimings().getEmbedMicros());
    assertEquals(SampleRecords.PRODUCED, read.getTimings().getProducedTime());
    // Fields v0 lacks take their defaults.
    assertEquals(List.of(), read.getFlags());
    assertEquals(Map.of(), read.getMetadata());
    assertNull(read.getTimings().getSourceTime());
  }

  /** Embeddings and Flags written before score heads (the schemas kept in avro-history/) read with empty scores and no kind. */
  @Test
  void recordsWrittenBeforeScoresReadWithEmptyScoresAndNoArtefactKind() throws Exception {
    Schema embeddingV1 = historySchema("Embedding.v1.avsc");
    Embedding current = SampleRecords.embedding();
    GenericRecord old = new GenericData.Record(embeddingV1);
    for (Schema.Field field : embeddingV1.getFields()) {
      old.put(field.name(), GenericData.get().deepCopy(field.schema(), genericValue(current, field.name())));
    }
    Embedding read = AvroCodec.of(Embedding.class)
        .decode(AvroCodec.generic(embeddingV1, SchemaHistory.of(), SchemaLookup.none()).encode(old));
    assertEquals(Map.of(), read.getScores());
    assertEquals(List.of(), read.getHardestTokens());
    assertEquals(0.875f, read.getSurprise());

    Schema flagV1 = historySchema("Flag.v1.avsc");
    GenericRecord oldFlag = new GenericData.Record(flagV1);
    oldFlag.put("id", "DESI-0002");
    oldFlag.put("kind", new GenericData.EnumSymbol(flagV1.getField("kind").schema(), "ANOMALY"));
    oldFlag.put("score", 0.31);
    oldFlag.put("threshold", 0.29);
    oldFlag.put("reason", "surprise above the recent quantile");
    oldFlag.put("time", SampleRecords.PRODUCED.toEpochMilli());
    Flag flag = AvroCodec.of(Flag.class).decode(AvroCodec.generic(flagV1, SchemaHistory.of(), SchemaLookup.none()).encode(oldFlag));
    assertEquals(FlagKind.ANOMALY, flag.getKind());
    assertNull(flag.getArtefactKind());
  }

  /** Token sequences written before layouts (TokenSequence.v1 in avro-history/) read as grz-cutout, their tokens intact. */
  @Test
  void tokenSequencesWrittenBeforeLayoutsReadAsGrzCutouts() throws Exception {
    Schema v1 = historySchema("TokenSequence.v1.avsc");
    TokenSequence current = SampleRecords.tokenSequence();
    // the sample as a v1 writer would have made it: today's record read through the v1 schema
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    org.apache.avro.io.BinaryEncoder encoder = org.apache.avro.io.EncoderFactory.get().binaryEncoder(body, null);
    new org.apache.avro.specific.SpecificDatumWriter<TokenSequence>(TokenSequence.getClassSchema()).write(current, encoder);
    encoder.flush();
    GenericRecord old = new org.apache.avro.generic.GenericDatumReader<GenericRecord>(TokenSequence.getClassSchema(), v1)
        .read(null, org.apache.avro.io.DecoderFactory.get().binaryDecoder(body.toByteArray(), null));
    TokenSequence read = AvroCodec.of(TokenSequence.class)
        .decode(AvroCodec.generic(v1, SchemaHistory.of(), SchemaLookup.none()).encode(old));
    assertEquals("grz-cutout", read.getLayout());
    assertEquals(current.getTokens(), read.getTokens());
    assertEquals(current.getId(), read.getId());
  }

  private static Schema historySchema(String file) throws java.io.IOException {
    try (var in = SchemaEvolutionTest.class.getClassLoader().getResourceAsStream(SchemaHistory.DEFAULT_FOLDER + file)) {
      return new Schema.Parser().parse(in);
    }
  }

  @Test
  void olderWriterMissingFromTheHistoryIsAnUnknownFingerprint() {
    Schema v0 = EvolutionSchemas.embeddingV0();
    byte[] bytes = AvroCodec.generic(v0, SchemaHistory.of(), SchemaLookup.none())
        .encode(EvolutionSchemas.embeddingV0Record(v0));

    AvroDecodeException e = assertThrows(AvroDecodeException.class,
        () -> AvroCodec.of(Embedding.class).decode(bytes));

    assertEquals(AvroDecodeException.Problem.UNKNOWN_FINGERPRINT, e.problem());
  }

  @Test
  void writerLackingARequiredFieldIsIncompatible() {
    Schema noSurprise = new Schema.Parser().parse("""
        {"type": "record", "name": "Embedding", "namespace": "org.astropt.stream.schemas", "fields": [
          {"name": "id", "type": "string"}]}
        """);
    GenericRecord record = new GenericData.Record(noSurprise);
    record.put("id", "DESI-0007");
    byte[] bytes = AvroCodec.generic(noSurprise, SchemaHistory.of(), SchemaLookup.none()).encode(record);

    AvroDecodeException e = assertThrows(AvroDecodeException.class,
        () -> AvroCodec.of(Embedding.class, SchemaHistory.of(noSurprise), SchemaLookup.none()).decode(bytes));

    assertEquals(AvroDecodeException.Problem.INCOMPATIBLE, e.problem());
    assertEquals(true, e.getMessage().contains("surprise"), e.getMessage());
  }

  @Test
  void historyWithoutAnIndexIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SchemaHistory.load("no-such-history/", getClass().getClassLoader()));

    assertEquals(true, e.getMessage().contains("no-such-history/index.txt"), e.getMessage());
  }

  private static Object genericValue(Embedding record, String field) {
    Object value = record.get(field);
    if (value instanceof StageTimings timings) { // the generic record wants longs where the class has Instants
      GenericRecord generic = new GenericData.Record(StageTimings.getClassSchema());
      generic.put("decodeMicros", timings.getDecodeMicros());
      generic.put("tokenizeMicros", timings.getTokenizeMicros());
      generic.put("embedMicros", timings.getEmbedMicros());
      generic.put("sourceTime", timings.getSourceTime().toEpochMilli());
      generic.put("producedTime", timings.getProducedTime().toEpochMilli());
      return generic;
    }
    return value;
  }
}
