package org.astropt.stream.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/** The test-only Embedding versions around the current one, from src/test/resources. */
final class EvolutionSchemas {

  static final String TEST_HISTORY = "avro-history-test/";

  private EvolutionSchemas() {}

  /** Older Embedding: no flags, no metadata, timings without sourceTime. */
  static Schema embeddingV0() {
    return parse(TEST_HISTORY + "Embedding.v0.avsc");
  }

  /** Newer Embedding: the current one plus optional int tokenCount (default null). */
  static Schema embeddingV2() {
    return parse("evolution/Embedding.v2.avsc");
  }

  static GenericRecord embeddingV0Record(Schema v0) {
    GenericRecord timings = new GenericData.Record(v0.getField("timings").schema());
    timings.put("decodeMicros", 11L);
    timings.put("tokenizeMicros", 22L);
    timings.put("embedMicros", 33L);
    timings.put("producedTime", SampleRecords.PRODUCED.toEpochMilli());
    GenericRecord record = new GenericData.Record(v0);
    record.put("id", "DESI-0042");
    record.put("modelName", "astropt-1M");
    record.put("modelVersion", 3L);
    record.put("vector", List.of(1.5f, -2.5f));
    record.put("surprise", 0.125f);
    record.put("timings", timings);
    return record;
  }

  private static Schema parse(String resource) {
    try (InputStream in = EvolutionSchemas.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " missing from test resources");
      }
      return new Schema.Parser().parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
