package org.astropt.stream.schemas;

import java.util.Optional;
import org.apache.avro.Schema;

/**
 * Where the writer schema of a Confluent wire-format value comes from: schema id to schema. A plug
 * point instead of a schema-registry HTTP client, so that a registry, a folder of {@code <id>.avsc}
 * files ({@link FolderSchemaLookup}) or a map ({@link InMemorySchemaLookup}) can stand behind it.
 * Implementations must be thread-safe; registry ids never change meaning, so callers may cache.
 */
@FunctionalInterface
public interface SchemaLookup {

  /** The writer schema registered under {@code schemaId}, or empty when there is none. */
  Optional<Schema> schema(int schemaId);

  /** A lookup that knows no schema: Confluent wire-format values are rejected as UNKNOWN_SCHEMA_ID. */
  static SchemaLookup none() {
    return id -> Optional.empty();
  }
}
