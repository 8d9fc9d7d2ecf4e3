package org.astropt.stream.trainer;

import java.io.IOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.ModelFolder;

/**
 * A model store on a local or mounted file system: ROOT/&lt;sha256&gt;/. A folder is copied into a
 * temporary sibling first and renamed into place, so a reader never sees half a version.
 */
public final class FileModelStore implements ModelStore {

    private final Path root;

    public FileModelStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() { return root; }

    @Override
    public URI put(Path folder) throws IOException {
        Path weights = folder.resolve(Checkpoint.WEIGHTS_FILE);
        if (!Files.isRegularFile(weights) || !Files.isRegularFile(folder.resolve(Checkpoint.CONFIG_FILE))) {
            throw new IllegalArgumentException(folder + ": a version folder needs " + Checkpoint.WEIGHTS_FILE + " and " + Checkpoint.CONFIG_FILE);
        }
        String sha = Checkpoint.sha256(weights);
        Path target = root.resolve(sha);
        if (!Files.isDirectory(target)) {
            Files.createDirectories(root);
            Path temp = Files.createTempDirectory(root, "." + sha + "-");
            try (Stream<Path> files = Files.list(folder)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) Files.copy(f, temp.resolve(f.getFileName()));
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, target);
                }
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
                // another writer stored the same weights first: theirs is as good as ours
            } finally {
                deleteTree(temp);
            }
        }
        return target.toUri();
    }

    @Override
    public Path open(URI uri) throws IOException {
        ModelFolder folder = ModelFolder.at(uri.toString()).orElseThrow(() ->
                new IllegalArgumentException(uri + ": not a file:// URI; this store is " + root.toUri()));
        if (!Files.isRegularFile(folder.weights())) {
            throw new java.io.FileNotFoundException(uri + ": no " + Checkpoint.WEIGHTS_FILE + " there");
        }
        return folder.dir();
    }

    @Override
    public List<URI> list() throws IOException {
        List<URI> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, p -> Files.isDirectory(p) && !p.getFileName().toString().startsWith("."))) {
            for (Path d : dirs) out.add(d.toUri());
        }
        out.sort(Comparator.comparing(URI::toString));
        return out;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
