package org.astropt.stream.schemas;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/** A {@link SchemaLookup} backed by a map, filled up front or with {@link #register}. Thread-safe. */
public final class InMemorySchemaLookup implements SchemaLookup {

  private final Map<Integer, Schema> schemas = new ConcurrentHashMap<>();

  public InMemorySchemaLookup() {}

  public InMemorySchemaLookup(Map<Integer, Schema> schemas) {
    this.schemas.putAll(schemas);
  }

  /**
   * Registers {@code schema} under {@code schemaId}; returns this for chaining.
   *
   * @throws IllegalArgumentException when the id already names a different schema (ids never change meaning)
   */
  public InMemorySchemaLookup register(int schemaId, Schema schema) {
    Schema before = schemas.putIfAbsent(schemaId, schema);
    if (before != null && !before.equals(schema)) {
      throw new IllegalArgumentException("schema id " + schemaId + " is already registered to "
          + before.getFullName() + " with a different schema; registry ids never change meaning");
    }
    return this;
  }

  @Override
  public Optional<Schema> schema(int schemaId) {
    return Optional.ofNullable(schemas.get(schemaId));
  }
}
