package org.astropt.stream.trainer;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.ModelFolder;

/**
 * Where model versions live: one {@link ModelFolder} per version (weights.safetensors, config.json,
 * metrics.json, train-log.csv), named by the sha256 of its weights, so the same weights are stored once and a folder's
 * name is the checksum a ModelVersion pointer carries. Kafka carries pointers only (claim checks).
 *
 * <p>{@link #of} picks the implementation by URI scheme: file:// today ({@link FileModelStore}); the
 * interface is what an s3:// or hdfs:// store implements.
 */
public interface ModelStore {

    /**
     * Copies a local version folder into the store under the sha256 of its weights.safetensors; a folder of
     * that name already there is kept (same weights). Returns the stored folder's URI, ending in '/'.
     */
    URI put(Path folder) throws IOException;

    /** A local folder holding the files of a stored version, given its folder URI or its weights URI. */
    Path open(URI uri) throws IOException;

    /** The folder URIs of every stored version. */
    List<URI> list() throws IOException;

    /** The URI a ModelVersion's weightsUri holds for a stored folder. */
    static URI weights(URI folder) { return folder.resolve(Checkpoint.WEIGHTS_FILE); }

    /** The store at uri: file:PATH, file:///PATH or a plain path; any other scheme is refused in one line naming it. */
    static ModelStore of(String uri) {
        Path local = ModelFolder.localPath(uri).orElse(null);
        if (local != null) return new FileModelStore(local);
        String scheme = URI.create(uri).getScheme();
        throw new IllegalArgumentException("model store " + uri + ": the " + scheme + ":// scheme is not supported yet;"
                + " use a file:// URI or a path (trainer.model-store)");
    }
}
