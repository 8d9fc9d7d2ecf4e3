package org.astropt.stream.core.decode;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/** Alert schemas held in memory: for tests, and for a registry client that fetches and caches them. */
public final class InMemoryAlertSchemas implements AlertSchemas {

    private final Map<Integer, Schema> schemas = new ConcurrentHashMap<>();

    public InMemoryAlertSchemas() {}

    public InMemoryAlertSchemas(Map<Integer, Schema> schemas) { this.schemas.putAll(schemas); }

    /** Registers {@code schema} under {@code id}, replacing any earlier one; returns this. */
    public InMemoryAlertSchemas put(int id, Schema schema) {
        schemas.put(id, schema);
        return this;
    }

    @Override
    public Optional<Schema> schema(int id) { return Optional.ofNullable(schemas.get(id)); }
}
