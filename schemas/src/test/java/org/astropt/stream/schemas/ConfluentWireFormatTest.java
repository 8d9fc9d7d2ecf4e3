package org.astropt.stream.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfluentWireFormatTest {

  /** Ids with a byte in every position, so a little-endian read would look up a different id. */
  private static final int EMBEDDING_ID = 0x01020304;
  private static final int FLAG_ID = 0x00000105;

  @Test
  void readsAConfluentFramedRecordWithTheSchemaFromAMap() {
    Embedding embedding = SampleRecords.embedding();
    SchemaLookup lookup = new InMemorySchemaLookup().register(EMBEDDING_ID, Embedding.getClassSchema());
    AvroCodec<Embedding> codec = AvroCodec.of(Embedding.class, lookup);

    Embedding back = codec.decode(AvroTestFrames.confluent(EMBEDDING_ID, embedding));

    assertEquals(embedding, back);
  }

  @Test
  void readsAConfluentFramedRecordWithTheSchemaFromAFolder(@TempDir Path folder) throws Exception {
    Files.writeString(folder.resolve(EMBEDDING_ID + ".avsc"), Embedding.getClassSchema().toString(true));
    AvroCodec<Embedding> codec = AvroCodec.of(Embedding.class, new FolderSchemaLookup(folder));

    Embedding back = codec.decode(AvroTestFrames.confluent(EMBEDDING_ID, SampleRecords.embedding()));

    assertEquals(SampleRecords.embedding(), back);
  }

  @Test
  void readsAForeignAlertSchemaIntoAGenericRecord(@TempDir Path folder) throws Exception {
    String alertJson = """
        {"type": "record", "name": "alert", "namespace": "lsst.v7_4.alert", "fields": [
          {"name": "alertId", "type": "long"},
          {"name": "cutoutDifference", "type": ["null", "bytes"], "default": null},
          {"name": "bands", "type": {"type": "array", "items": "string"}}]}
        """;
    Files.writeString(folder.resolve("704.avsc"), alertJson);
    Schema alert = new Schema.Parser().parse(alertJson);
    GenericRecord packet = new GenericData.Record(alert);
    packet.put("alertId", 170_032_882_180_128_768L);
    packet.put("cutoutDifference", java.nio.ByteBuffer.wrap(new byte[] {'S', 'I', 'M', 'P'}));
    packet.put("bands", List.of("r"));
    AvroCodec<GenericRecord> codec =
        AvroCodec.generic(alert, SchemaHistory.of(), new FolderSchemaLookup(folder));

    GenericRecord back = codec.decode(AvroTestFrames.confluent(704, alert, packet, GenericData.get()));

    assertEquals(170_032_882_180_128_768L, back.get("alertId"));
    assertEquals(java.nio.ByteBuffer.wrap(new byte[] {'S', 'I', 'M', 'P'}), back.get("cutoutDifference"));
    assertEquals(List.of(new Utf8("r")), back.get("bands"));
  }

  @Test
  void olderWriterSchemaUnderAnIdResolvesToTheCurrentRecord() {
    Schema v0 = EvolutionSchemas.embeddingV0();
    GenericRecord old = EvolutionSchemas.embeddingV0Record(v0);
    SchemaLookup lookup = new InMemorySchemaLookup().register(9, v0);

    Embedding back = AvroCodec.of(Embedding.class, lookup).decode(
        AvroTestFrames.confluent(9, v0, old, GenericData.get()));

    assertEquals("DESI-0042", back.getId());
    assertEquals(List.of(), back.getFlags());
    assertEquals(SampleRecords.PRODUCED, back.getTimings().getProducedTime());
  }

  @Test
  void unknownSchemaIdIsNamed() {
    AvroCodec<Embedding> codec = AvroCodec.of(Embedding.class, new InMemorySchemaLookup());

    AvroDecodeException e = assertThrows(AvroDecodeException.class,
        () -> codec.decode(AvroTestFrames.confluent(EMBEDDING_ID, SampleRecords.embedding())));

    assertEquals(AvroDecodeException.Problem.UNKNOWN_SCHEMA_ID, e.problem());
    assertEquals(true, e.getMessage().contains(Integer.toString(EMBEDDING_ID)), e.getMessage());
  }

  @Test
  void aFlagUnderAnIdIsNotReadAsAnEmbedding() {
    SchemaLookup lookup = new InMemorySchemaLookup().register(FLAG_ID, Flag.getClassSchema());
    AvroCodec<Embedding> codec = AvroCodec.of(Embedding.class, lookup);

    AvroDecodeException e = assertThrows(AvroDecodeException.class,
        () -> codec.decode(AvroTestFrames.confluent(FLAG_ID, SampleRecords.flag())));

    assertEquals(AvroDecodeException.Problem.WRONG_RECORD, e.problem());
  }

  @Test
  void truncatedConfluentHeaderIsNamed() {
    AvroCodec<Embedding> codec = AvroCodec.of(Embedding.class);

    AvroDecodeException e = assertThrows(AvroDecodeException.class,
        () -> codec.decode(new byte[] {0x00, 0x01, 0x02}));

    assertEquals(AvroDecodeException.Problem.TRUNCATED, e.problem());
  }

  @Test
  void aBadSchemaFileIsReportedWithItsPath(@TempDir Path folder) throws Exception {
    Files.writeString(folder.resolve("3.avsc"), "{\"type\": \"record\", \"name\": ");
    FolderSchemaLookup lookup = new FolderSchemaLookup(folder);

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lookup.schema(3));

    assertEquals(true, e.getMessage().startsWith(folder.resolve("3.avsc").toString()), e.getMessage());
  }
}
