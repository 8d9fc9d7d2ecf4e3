package org.astropt.stream.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.astropt.stream.app.SequenceReader.Sequence;
import org.astropt.stream.core.InvalidCutoutException;
import org.astropt.stream.core.sim.SyntheticGalaxy;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.core.token.Tokens;

/**
 * What {@code astropt train} learns from: token sequences [T][D], each with the object id that the
 * validation split hashes. Made from a folder of files or from the synthetic survey in memory.
 *
 * @param ids       object ids, one per sequence
 * @param sequences float[T][D] tokens, all with one D
 * @param source    where they came from, for messages
 */
record TrainingData(List<String> ids, List<float[][]> sequences, String source) {

    int tokenDim() { return sequences.get(0)[0].length; }

    /** Distinct sequence lengths, for messages ("16 tokens", "16 to 64 tokens"). */
    String lengths() {
        int min = sequences.stream().mapToInt(s -> s.length).min().orElse(0);
        int max = sequences.stream().mapToInt(s -> s.length).max().orElse(0);
        return min == max ? min + " tokens" : min + " to " + max + " tokens";
    }

    /**
     * count galaxies of the seeded synthetic survey (side size), rendered and tokenized in memory
     * on all cores; rendering (a PSF convolution per galaxy) is most of the time.
     */
    static TrainingData simulate(long count, int size, long seed, PatchTokenizer tokenizer) {
        List<Sequence> made = simulate(count, size, seed, tokenizer, (g, tokens) -> new Sequence(g.id(), tokens));
        return of(made, "synthetic survey (seed " + seed + ", " + count + " cutouts of " + size + "x" + size + ")");
    }

    /** The same galaxies, each made into what the caller needs from the galaxy (its id, its truth) and its [T][D] tokens. */
    static <T> List<T> simulate(long count, int size, long seed, PatchTokenizer tokenizer, BiFunction<SyntheticGalaxy, float[][], T> as) {
        return simulate(new SyntheticSurvey(seed, size, count), tokenizer, as);
    }

    /**
     * Galaxies 0 .. count - 1 of a survey, as {@link #simulate(long, int, long, PatchTokenizer, BiFunction)} makes them:
     * for evaluating on a survey with novel objects mixed in (never for training).
     */
    static <T> List<T> simulate(SyntheticSurvey survey, PatchTokenizer tokenizer, BiFunction<SyntheticGalaxy, float[][], T> as) {
        return LongStream.range(0, survey.count()).parallel().mapToObj(i -> {
            SyntheticGalaxy g = survey.galaxy(i);
            Tokens t = tokenizer.tokenize(g.id(), g.image());
            return as.apply(g, SequenceReader.rows(t.data(), t.tokenCount(), t.tokenDim()));
        }).toList();
    }

    /**
     * Every file under dir (sub-folders too) that is a token file or a cutout. One object may have
     * several files (astropt simulate writes a FITS cube and a PNG preview of each): one is used,
     * the first of .npy tokens, FITS, other image formats. Files that cannot be read, or whose
     * tokens have another size than the first one read, are reported to skipped and left out.
     *
     * @throws InvalidCutoutException when dir is not a folder or nothing in it could be read
     */
    static TrainingData read(Path dir, SequenceReader reader, Consumer<String> skipped) throws IOException {
        if (!Files.isDirectory(dir)) throw new InvalidCutoutException(dir.toString(), "is not a folder");
        Map<String, Path> byId = new LinkedHashMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(Files::isRegularFile).filter(SequenceReader::mayBeCutout).sorted().forEach(file ->
                    byId.merge(SequenceReader.id(file), file, (a, b) -> rank(b) < rank(a) ? b : a));
        }
        List<Path> files = new ArrayList<>(byId.values());
        // Decoding and tokenizing are independent per file: both cores.
        List<Object> results = files.parallelStream().map(f -> {
            try {
                return (Object) reader.read(f);
            } catch (InvalidCutoutException e) {
                return e.getMessage();
            }
        }).toList();
        List<Sequence> read = new ArrayList<>();
        for (Object r : results) {
            if (r instanceof Sequence s) {
                if (!read.isEmpty() && s.tokenDim() != read.get(0).tokenDim()) {
                    skipped.accept(s.id() + ": tokens of " + s.tokenDim() + " values, but " + read.get(0).id()
                            + " has " + read.get(0).tokenDim() + "; one model reads one token size");
                } else {
                    read.add(s);
                }
            } else {
                skipped.accept((String) r);
            }
        }
        if (read.isEmpty()) {
            throw new InvalidCutoutException(dir.toString(), files.isEmpty() ? "holds no cutout or .npy token file"
                    : "none of its " + files.size() + " files could be read as cutouts or tokens");
        }
        return of(read, dir.toString());
    }

    /** .npy tokens first (no decoding), then FITS (the science data), then other images (previews). */
    private static int rank(Path file) {
        String name = String.valueOf(file.getFileName()).toLowerCase(Locale.ROOT);
        if (name.endsWith(".npy")) return 0;
        return name.contains(".fit") || name.endsWith(".fz") ? 1 : 2;
    }

    private static TrainingData of(List<Sequence> sequences, String source) {
        return new TrainingData(sequences.stream().map(Sequence::id).toList(),
                sequences.stream().map(Sequence::tokens).toList(), source);
    }
}
