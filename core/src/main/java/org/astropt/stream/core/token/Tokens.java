package org.astropt.stream.core.token;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One cutout as AstroPT v1 tokens: what {@link PatchTokenizer#tokenize} makes and what the model reads.
 *
 * @param data        [tokenCount][tokenDim] flattened, tokens in sequence (spiral) order; each token
 *                    holds 16*16*C values, index ((px * 16) + py) * C + c, normalised per token
 * @param tokenCount  T = gridSize^2
 * @param tokenDim    D = patchSize^2 * bands
 * @param gridSize    n: patches per side
 * @param cropSize    side in pixels of the square that was tokenized, n * patchSize
 * @param padding     zero pixels added on each side (display orientation) when the cutout was smaller
 *                    than a fixed crop size; all zero otherwise
 * @param nanFraction fraction of the kept pixel values (padding excluded) that were blank and became 0
 * @param bands       band names, in channel order c
 * @param settings    the settings that made these tokens
 */
public record Tokens(float[] data, int tokenCount, int tokenDim, int gridSize, int cropSize, Padding padding,
                     double nanFraction, List<String> bands, TokenizerSettings settings) {

    /** Zero-pixel margins added around the cutout, in display orientation (top = row 0 side). */
    public record Padding(int top, int bottom, int left, int right) {
        public static final Padding NONE = new Padding(0, 0, 0, 0);

        public Padding {
            if (top < 0 || bottom < 0 || left < 0 || right < 0) {
                throw new IllegalArgumentException("padding cannot be negative: " + top + ", " + bottom + ", " + left + ", " + right);
            }
        }

        public boolean isNone() { return top == 0 && bottom == 0 && left == 0 && right == 0; }
    }

    public Tokens {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(padding, "padding");
        Objects.requireNonNull(settings, "settings");
        bands = List.copyOf(bands);
        int p = settings.patchSize();
        if (gridSize < 1 || tokenCount != gridSize * gridSize) {
            throw new IllegalArgumentException(tokenCount + " tokens do not fill a " + gridSize + "x" + gridSize + " grid");
        }
        if (tokenDim != p * p * bands.size()) {
            throw new IllegalArgumentException("token size " + tokenDim + " is not " + p + "*" + p + "*" + bands.size() + " bands");
        }
        if (cropSize != gridSize * p) {
            throw new IllegalArgumentException("crop size " + cropSize + " is not " + gridSize + " patches of " + p);
        }
        if ((long) tokenCount * tokenDim != data.length) {
            throw new IllegalArgumentException(data.length + " values are not " + tokenCount + " tokens of " + tokenDim);
        }
    }

    public int patchSize() { return settings.patchSize(); }

    public int bandCount() { return bands.size(); }

    /** Where the token at a sequence position starts in {@link #data()}. */
    public int offset(int position) {
        Objects.checkIndex(position, tokenCount);
        return position * tokenDim;
    }

    /** A copy of the token at a sequence position: tokenDim values. */
    public float[] token(int position) {
        int from = offset(position);
        return Arrays.copyOfRange(data, from, from + tokenDim);
    }

    /** The tokens as rows [tokenCount][tokenDim] (copies): the shape the Embedder takes. */
    public float[][] rows() {
        float[][] out = new float[tokenCount][];
        for (int i = 0; i < tokenCount; i++) out[i] = token(i);
        return out;
    }

    @Override
    public String toString() {
        return "Tokens[" + tokenCount + "x" + tokenDim + ", grid " + gridSize + ", crop " + cropSize + ", padding "
                + padding + ", nanFraction " + nanFraction + ", bands " + bands + ", " + settings + "]";
    }
}
