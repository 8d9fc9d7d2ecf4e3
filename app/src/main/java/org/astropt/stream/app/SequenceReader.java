package org.astropt.stream.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import org.astropt.stream.core.InvalidCutoutException;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.io.Npy;
import org.astropt.stream.core.token.AlertTripletTokenizer;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.core.token.Tokens;

/**
 * One input file as a token sequence for the model: a {@code .npy} of tokens [T][D] as
 * {@code astropt tokenize} writes them, or any cutout {@link CutoutDecoder} reads (FITS, PNG, JPEG,
 * alerts), tokenized as AstroPT v1. Shared by {@code train --data} and {@code embed}.
 */
final class SequenceReader {

    /** An object's tokens [T][D] in sequence order; the id is the file name without its extensions. */
    record Sequence(String id, float[][] tokens) {
        int tokenDim() { return tokens[0].length; }
    }

    /** Files in a data folder that are never cutouts: catalogues, notes and alert schemas beside them. */
    private static final Set<String> NOT_CUTOUTS = Set.of("csv", "txt", "json", "md", "properties", "log", "xml", "yaml", "yml", "avsc");

    private final CutoutDecoder decoder;
    private final PatchTokenizer tokenizer;
    private final AlertTripletTokenizer triplets;

    SequenceReader(CutoutDecoder decoder, PatchTokenizer tokenizer) {
        this(decoder, tokenizer, null);
    }

    private SequenceReader(CutoutDecoder decoder, PatchTokenizer tokenizer, AlertTripletTokenizer triplets) {
        this.decoder = decoder;
        this.tokenizer = tokenizer;
        this.triplets = triplets;
    }

    /** A reader of alert packets as the alert-triplet layout (science, template, difference), for alert models. */
    static SequenceReader alertTriplets(CutoutDecoder decoder, AlertTripletTokenizer triplets) {
        return new SequenceReader(decoder, null, triplets);
    }

    /**
     * Reads one file.
     *
     * @throws InvalidCutoutException naming the file, when it is neither a token file nor a cutout
     *                                the decoder and tokenizer accept
     */
    Sequence read(Path file) {
        String name = String.valueOf(file.getFileName());
        if (isTokenFile(file)) return new Sequence(id(file), tokens(file, name));
        Tokens t;
        if (triplets != null) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new InvalidCutoutException(name, "cannot be read: " + e.getMessage());
            }
            t = triplets.tokenize(name, decoder.decodeAlertTriplet(bytes, name));
        } else {
            t = tokenizer.tokenize(name, decoder.decode(file));
        }
        return new Sequence(id(file), rows(t.data(), t.tokenCount(), t.tokenDim()));
    }

    static boolean isTokenFile(Path file) {
        return String.valueOf(file.getFileName()).toLowerCase(Locale.ROOT).endsWith(".npy");
    }

    /** Whether a file in a data folder may be a cutout (not hidden, not a catalogue or note). */
    static boolean mayBeCutout(Path file) {
        String name = String.valueOf(file.getFileName()).toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        return !name.startsWith(".") && (dot < 0 || !NOT_CUTOUTS.contains(name.substring(dot + 1)));
    }

    /** The object id a file stands for: its name without the extension (two for .fits.gz, .fits.fz). */
    static String id(Path file) {
        String name = String.valueOf(file.getFileName());
        for (int i = 0; i < 2; i++) {
            int dot = name.lastIndexOf('.');
            if (dot <= 0) break;
            String ext = name.substring(dot + 1).toLowerCase(Locale.ROOT);
            name = name.substring(0, dot);
            if (!ext.equals("gz") && !ext.equals("fz")) break;
        }
        return name;
    }

    /** A .npy of float32 tokens [T][D], every value finite. */
    private static float[][] tokens(Path file, String name) {
        Npy.Array array;
        try {
            array = Npy.parse(Files.readAllBytes(file), name);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new InvalidCutoutException(name, "no such file");
        } catch (IOException e) {
            String m = String.valueOf(e.getMessage());
            if (m.startsWith(name + ": ")) m = m.substring(name.length() + 2);
            throw new InvalidCutoutException(name, m);
        } catch (RuntimeException e) {
            throw new InvalidCutoutException(name, "not a readable .npy file (" + e.getMessage() + ")");
        }
        int[] shape = array.shape();
        if (shape.length != 2 || shape[0] < 1 || shape[1] < 1) {
            throw new InvalidCutoutException(name, "holds an array of shape " + Arrays.toString(shape)
                    + "; a token file is [tokens][values per token], as astropt tokenize writes it");
        }
        for (float v : array.data()) {
            if (!Float.isFinite(v)) throw new InvalidCutoutException(name, "holds NaN or infinite token values");
        }
        return rows(array.data(), shape[0], shape[1]);
    }

    /** Flat [T * D] -> [T][D]. */
    static float[][] rows(float[] flat, int t, int d) {
        float[][] out = new float[t][];
        for (int i = 0; i < t; i++) out[i] = Arrays.copyOfRange(flat, i * d, (i + 1) * d);
        return out;
    }
}
