package org.astropt.stream.schemas;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.avro.message.SchemaStore;

/**
 * Older writer schemas that readers must still understand, keyed by fingerprint.
 *
 * <p>Single-object encoding names the writer schema only by its fingerprint, so a reader can decode
 * a record written before a schema change only if it knows that older schema. When a schema in
 * {@code src/main/avro} changes, copy its previous version to {@code src/main/resources/avro-history/}
 * (e.g. {@code Embedding.v1.avsc}) and list the file in {@code avro-history/index.txt}. The index
 * exists because a folder inside a jar cannot be listed.
 */
public final class SchemaHistory {

  /** Classpath folder of the project's own schema history. */
  public static final String DEFAULT_FOLDER = "avro-history/";
  /** File in each history folder naming its .avsc files, one a line; '#' starts a comment. */
  public static final String INDEX = "index.txt";

  private SchemaHistory() {}

  /** The project's schema history from {@value #DEFAULT_FOLDER} on this module's classpath. */
  public static SchemaStore.Cache load() {
    return load(DEFAULT_FOLDER, SchemaHistory.class.getClassLoader());
  }

  /**
   * Loads every schema listed in {@code folder + "index.txt"} from the class path.
   *
   * @param folder classpath folder ending in '/', e.g. {@code "avro-history/"}
   * @throws IllegalArgumentException when the index or a listed file is missing or not a valid schema
   */
  public static SchemaStore.Cache load(String folder, ClassLoader loader) {
    String prefix = folder.endsWith("/") ? folder : folder + "/";
    SchemaStore.Cache cache = new SchemaStore.Cache();
    for (String name : readLines(prefix + INDEX, loader)) {
      cache.addSchema(parse(prefix + name, loader));
    }
    return cache;
  }

  /** A history holding exactly the given schemas. */
  public static SchemaStore.Cache of(Schema... schemas) {
    SchemaStore.Cache cache = new SchemaStore.Cache();
    for (Schema schema : schemas) {
      cache.addSchema(schema);
    }
    return cache;
  }

  private static List<String> readLines(String resource, ClassLoader loader) {
    try (InputStream in = open(resource, loader);
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      return reader.lines()
          .map(line -> line.replaceFirst("#.*", "").strip())
          .filter(line -> !line.isEmpty())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(resource + ": cannot read schema history index: " + e.getMessage(), e);
    }
  }

  private static Schema parse(String resource, ClassLoader loader) {
    try (InputStream in = open(resource, loader)) {
      return new Schema.Parser().parse(in); // a fresh parser: history files are standalone
    } catch (IOException e) {
      throw new UncheckedIOException(resource + ": cannot read history schema: " + e.getMessage(), e);
    } catch (SchemaParseException e) {
      throw new IllegalArgumentException(resource + ": not a valid Avro schema: " + e.getMessage(), e);
    }
  }

  private static InputStream open(String resource, ClassLoader loader) {
    InputStream in = loader.getResourceAsStream(resource);
    if (in == null) {
      throw new IllegalArgumentException(resource + ": not found on the class path; a schema history folder needs "
          + INDEX + " listing its .avsc files");
    }
    return in;
  }
}
