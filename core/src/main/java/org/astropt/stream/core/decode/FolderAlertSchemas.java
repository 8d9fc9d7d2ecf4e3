package org.astropt.stream.core.decode;

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
 * Alert schemas as files {@code <id>.avsc} in one folder (e.g. a copy of a registry's subjects, or
 * Rubin's alert_packet schemas saved under their registry ids). Each file is parsed once, on first use.
 */
public final class FolderAlertSchemas implements AlertSchemas {

    private final Path dir;
    private final Map<Integer, Schema> parsed = new ConcurrentHashMap<>();

    public FolderAlertSchemas(Path dir) { this.dir = dir; }

    @Override
    public Optional<Schema> schema(int id) {
        Path file = dir.resolve(id + ".avsc");
        if (!parsed.containsKey(id) && !Files.isRegularFile(file)) return Optional.empty();
        return Optional.of(parsed.computeIfAbsent(id, k -> parse(file)));
    }

    private static Schema parse(Path file) {
        try {
            return new Schema.Parser().parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read alert schema " + file, e);
        } catch (SchemaParseException e) {
            throw new IllegalStateException("alert schema " + file + " is not a valid Avro schema: " + e.getMessage(), e);
        }
    }
}
