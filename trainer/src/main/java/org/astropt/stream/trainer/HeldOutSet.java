package org.astropt.stream.trainer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.astropt.stream.core.model.Trainer;
import org.astropt.stream.schemas.AvroCodec;
import org.astropt.stream.schemas.TokenSequence;

/**
 * The held-out sample the trainer evaluates on: of the objects whose id hash puts them in the held-out
 * split, the {@code capacity} with the smallest hashes, each with its latest tokens. Which objects those are
 * depends on the ids alone, never on the order records came in, so a candidate and the promoted version
 * are always measured on the same sequences, and memory stays bounded however large the topic grows.
 * Persisted as length-prefixed TokenSequence records (Avro single-object encoding) in the state folder.
 */
final class HeldOutSet {

    private static final AvroCodec<TokenSequence> CODEC = AvroCodec.of(TokenSequence.class);
    private static final Comparator<Key> ORDER = Comparator.comparingDouble(Key::hash).thenComparing(Key::id);

    private record Key(double hash, String id) {}

    private final int capacity;
    private final TreeMap<Key, byte[]> entries = new TreeMap<>(ORDER);

    HeldOutSet(int capacity) {
        this.capacity = capacity;
    }

    /** Keeps the record when it is among the capacity smallest hashes; a newer record of a kept id replaces it. */
    void offer(TokenRecord r) {
        Key k = new Key(Trainer.Split.idHash(r.id()), r.id());
        if (entries.size() >= capacity && !entries.containsKey(k) && ORDER.compare(k, entries.lastKey()) > 0) return;
        entries.put(k, r.value());
        while (entries.size() > capacity) entries.pollLastEntry();
    }

    int size() { return entries.size(); }

    /** The sequences, smallest hash first. */
    List<TokenSequence> sequences() {
        List<TokenSequence> out = new ArrayList<>(entries.size());
        for (byte[] v : entries.values()) out.add(CODEC.decode(v));
        return out;
    }

    /** Writes the sample to file (through a temporary file and a rename: never half written). */
    void save(Path file) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(temp)))) {
            out.writeInt(entries.size());
            for (byte[] v : entries.values()) {
                out.writeInt(v.length);
                out.write(v);
            }
        }
        TrainerState.replace(temp, file);
    }

    /** The sample saved at file (only the sequences keep accepts), or an empty one when there is none yet. */
    static HeldOutSet load(Path file, int capacity, Predicate<TokenSequence> keep) throws IOException {
        HeldOutSet set = new HeldOutSet(capacity);
        if (!Files.exists(file)) return set;
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                byte[] v = new byte[in.readInt()];
                in.readFully(v);
                TokenSequence s = CODEC.decode(v);
                if (keep.test(s)) set.offer(new TokenRecord(-1, -1, s, v));
            }
        }
        return set;
    }
}
