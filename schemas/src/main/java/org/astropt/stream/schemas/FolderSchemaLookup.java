package org.astropt.stream.schemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A {@link SchemaLookup} reading {@code <id>.avsc} files from one folder, e.g. a mirror of Rubin's
 * alert schemas saved by id. Each file holds one standalone schema. Files are read on first use and
 * cached; a missing file is looked for again next time, so schemas can be dropped in while running.
 */
public final class FolderSchemaLookup implements SchemaLookup {

  private final Path folder;
  private final Map<Integer, Schema> cache = new ConcurrentHashMap<>();

  public FolderSchemaLookup(Path folder) {
    this.folder = folder;
  }

  public Path folder() {
    return folder;
  }

  /**
   * @throws IllegalArgumentException when {@code <id>.avsc} exists but is not a valid Avro schema
   * @throws UncheckedIOException when the file exists but cannot be read
   */
  @Override
  public Optional<Schema> schema(int schemaId) {
    if (schemaId < 0) {
      return Optional.empty();
    }
    Schema cached = cache.get(schemaId);
    if (cached != null) {
      return Optional.of(cached);
    }
    Path file = folder.resolve(schemaId + ".avsc");
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    Schema schema;
    try {
      schema = new Schema.Parser().parse(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot read schema file: " + e.getMessage(), e);
    } catch (SchemaParseException e) {
      throw new IllegalArgumentException(file + ": not a valid Avro schema: " + e.getMessage(), e);
    }
    cache.putIfAbsent(schemaId, schema);
    return Optional.of(schema);
  }
}
