package org.astropt.stream.core.decode;

import java.nio.file.Path;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * Writer schemas of Confluent-framed alerts by schema id: the 4-byte id after the magic byte 0 names
 * the schema the producer wrote with (Rubin publishes its alert schemas to a registry). Implementations
 * must be safe to call from several threads.
 */
public interface AlertSchemas {

    /** The schema registered under {@code id}, or empty when this lookup does not know it. */
    Optional<Schema> schema(int id);

    /** Knows no schema: Confluent-framed alerts fail with a message saying so. */
    static AlertSchemas none() { return id -> Optional.empty(); }

    /** A folder of {@code <id>.avsc} files, read on first use. */
    static AlertSchemas folder(Path dir) { return new FolderAlertSchemas(dir); }

    /** This lookup, then {@code other} for the ids this one does not know. */
    default AlertSchemas orElse(AlertSchemas other) { return id -> schema(id).or(() -> other.schema(id)); }
}
