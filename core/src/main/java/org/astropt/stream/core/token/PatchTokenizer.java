package org.astropt.stream.core.token;

import java.util.Locale;
import java.util.Objects;

import org.astropt.stream.core.InvalidCutoutException;
import org.astropt.stream.core.image.CutoutImage;

/**
 * Turns a cutout into AstroPT v1 tokens, exactly as DESIGN.md's "Tokenization" says, so the released
 * weights read our tokens as they read their training data:
 * <ol>
 *   <li>take the image I[c][y][x] in display orientation (decoders already flipped FITS; no flip here),
 *       centre-cropped, or zero-padded when a fixed size is larger, to a square of side n * p;</li>
 *   <li>replace blank (NaN or infinite) values by 0, counting them (padding is not counted);</li>
 *   <li>swap the axes, A[c][x][y] = I[c][y][x]; cell (i, j) covers x in [p*i, p*i+p), y in [p*j, p*j+p),
 *       and its value ((px * p) + py) * C + c is A[c][p*i + px][p*j + py], channel fastest;</li>
 *   <li>normalise each token on its own: (v - mean) / (std + 1e-8), unbiased std, in double;</li>
 *   <li>store each token at its {@link SpiralOrder} position, centre first.</li>
 * </ol>
 * Thread-safe and allocation-light: one output array per call, no boxing.
 */
public final class PatchTokenizer {

    /** Added to the std before dividing, as the reference does, so a flat patch becomes zeros. */
    static final double STD_EPSILON = 1e-8;

    /** Most values one Tokens array can hold: a Java array's limit, less the JVM's header slack. */
    private static final long MAX_VALUES = Integer.MAX_VALUE - 8;

    private final TokenizerSettings settings;

    public PatchTokenizer(TokenizerSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public PatchTokenizer() {
        this(TokenizerSettings.defaults());
    }

    public TokenizerSettings settings() { return settings; }

    /** Tokenizes a cutout, naming it in errors by its "id" metadata entry when it has one. */
    public Tokens tokenize(CutoutImage image) {
        return tokenize(image.metadata().getOrDefault("id", "cutout"), image);
    }

    /**
     * Tokenizes a cutout in display orientation.
     *
     * @param input what the cutout is (an object id, a file name), for error messages
     * @throws InvalidCutoutException when the cutout is smaller than one patch, or more of it is blank
     *                                than {@link TokenizerSettings#maxNanFraction()} allows
     */
    public Tokens tokenize(String input, CutoutImage image) {
        int p = settings.patchSize();
        int h = image.height(), w = image.width(), bandCount = image.bandCount();
        if (h < p || w < p) {
            throw new InvalidCutoutException(input, "the cutout is " + w + "x" + h
                    + " pixels, smaller than one " + p + "x" + p + " patch; send at least " + p + " pixels on each side");
        }
        Grid grid = grid(w, h);
        int side = grid.side();
        if ((long) side * side * bandCount > MAX_VALUES) {
            throw new InvalidCutoutException(input, "a " + side + "x" + side + "x" + bandCount
                    + " crop is too large to tokenize in one array; configure a smaller crop size");
        }
        int n = grid.gridSize(), y0 = grid.y0(), x0 = grid.x0();
        Tokens.Padding padding = new Tokens.Padding(Math.max(0, -y0), Math.max(0, side - h + y0),
                Math.max(0, -x0), Math.max(0, side - w + x0));

        SpiralOrder spiral = SpiralOrder.of(n);
        int dim = p * p * bandCount;
        float[] out = new float[n * n * dim];
        float[][][] pixels = image.pixels();
        long blanks = 0;
        // Cells row block by row block (j outer), so each pass reads the same 16 * C image rows onward.
        for (int j = 0; j < n; j++) {
            // Cell (i, j) reads image rows y = p*j + py (A's second spatial axis) ...
            int rowStart = y0 + p * j;
            int pyFrom = Math.max(0, -rowStart), pyTo = Math.min(p, h - rowStart);
            for (int i = 0; i < n; i++) {
                // ... and image columns x = p*i + px; outside the image stays 0 (padding).
                int colStart = x0 + p * i;
                int pxFrom = Math.max(0, -colStart), pxTo = Math.min(p, w - colStart);
                int base = spiral.positionOfCell[i * n + j] * dim;
                double sum = 0; // summed while gathering, saving normalise a pass over the token
                int stride = p * bandCount;
                for (int c = 0; c < bandCount; c++) {
                    float[][] band = pixels[c];
                    int py = pyFrom;
                    // Two rows at a time: each row's sum is its own chain of additions in x order, as one
                    // row at a time, and they join the token's sum in row order; interleaved, the two chains'
                    // additions overlap instead of waiting on each other. The same roundings.
                    for (; py + 1 < pyTo; py += 2) {
                        float[] row0 = band[rowStart + py], row1 = band[rowStart + py + 1];
                        int at0 = base + py * bandCount + c, at1 = at0 + bandCount;
                        double rowSum0 = 0, rowSum1 = 0;
                        for (int px = pxFrom; px < pxTo; px++) {
                            float v0 = row0[colStart + px], v1 = row1[colStart + px];
                            out[at0 + px * stride] = v0; // blanks are found by normalise
                            out[at1 + px * stride] = v1;
                            rowSum0 += v0;
                            rowSum1 += v1;
                        }
                        sum += rowSum0;
                        sum += rowSum1;
                    }
                    if (py < pyTo) {
                        float[] row = band[rowStart + py];
                        int at = base + py * bandCount + c;
                        double rowSum = 0;
                        for (int px = pxFrom; px < pxTo; px++) {
                            float v = row[colStart + px];
                            out[at + px * stride] = v;
                            rowSum += v;
                        }
                        sum += rowSum;
                    }
                }
                blanks += normalise(out, base, dim, sum);
            }
        }
        long kept = (long) (side - padding.top() - padding.bottom()) * (side - padding.left() - padding.right()) * bandCount;
        double nanFraction = (double) blanks / kept;
        if (nanFraction > settings.maxNanFraction()) {
            throw new InvalidCutoutException(input, String.format(Locale.ROOT,
                    "%.2f%% of its pixel values are blank (NaN or infinite), more than the %.2f%% limit (maxNanFraction)",
                    100 * nanFraction, 100 * settings.maxNanFraction()));
        }
        return new Tokens(out, n * n, dim, n, side, padding, nanFraction, image.bands(), settings);
    }

    /**
     * Where the token grid lies on a cutout: an n x n grid of p-pixel cells over the square of the given side whose
     * top-left corner is at (x0, y0) in the image in display orientation (negative: padded). Cell (i, j) covers
     * image columns [x0 + p*i, x0 + p*i + p) and rows [y0 + p*j, y0 + p*j + p) (the axes are swapped); its
     * sequence position is {@link SpiralOrder#position}(i, j).
     */
    public record Grid(int gridSize, int patchSize, int side, int x0, int y0) {}

    /** The grid {@link #tokenize} lays on a width x height cutout (at least one patch on each side). */
    public Grid grid(int width, int height) {
        int p = settings.patchSize();
        int side = settings.size() != null ? settings.size() : Math.min(height, width) / p * p;
        // Where the square starts in the image: >= 0 crops, < 0 pads; the odd pixel goes to the bottom/right.
        int y0 = height >= side ? (height - side) / 2 : -((side - height) / 2);
        int x0 = width >= side ? (width - side) / 2 : -((side - width) / 2);
        return new Grid(side / p, p, side, x0, y0);
    }

    /**
     * In place: (v - mean) / (std + 1e-8) over out[from, from + count), unbiased std, in double, given
     * the values' sum; returns how many blank (NaN or infinite) values it found and set to 0 first. A blank
     * makes the sum non-finite (finite floats cannot overflow a double sum), so clean tokens, nearly
     * all of them, pay nothing for the check. Four running sums break the add-latency chain.
     */
    private static int normalise(float[] out, int from, int count, double sum) {
        int blanks = 0;
        if (!Double.isFinite(sum)) {
            for (int k = from; k < from + count; k++) {
                if (!Float.isFinite(out[k])) {
                    out[k] = 0f;
                    blanks++;
                }
            }
            sum = sum(out, from, count);
        }
        double mean = sum / count;
        int to = from + count, split = from + (count & ~3), k = from;
        double q0 = 0, q1 = 0, q2 = 0, q3 = 0;
        for (; k < split; k += 4) {
            double d0 = out[k] - mean, d1 = out[k + 1] - mean, d2 = out[k + 2] - mean, d3 = out[k + 3] - mean;
            q0 += d0 * d0;
            q1 += d1 * d1;
            q2 += d2 * d2;
            q3 += d3 * d3;
        }
        for (; k < to; k++) {
            double d = out[k] - mean;
            q0 += d * d;
        }
        double scale = 1.0 / (Math.sqrt(((q0 + q1) + (q2 + q3)) / (count - 1)) + STD_EPSILON);
        for (k = from; k < to; k++) out[k] = (float) ((out[k] - mean) * scale);
        return blanks;
    }

    private static double sum(float[] values, int from, int count) {
        int to = from + count, split = from + (count & ~3), k = from;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (; k < split; k += 4) {
            s0 += values[k];
            s1 += values[k + 1];
            s2 += values[k + 2];
            s3 += values[k + 3];
        }
        for (; k < to; k++) s0 += values[k];
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * The inverse layout: tokens back to an image float[C][side][side] in display orientation (row 0 at
     * the top), each patch holding its normalised values. For display and tests; the crop, the padding
     * and each patch's mean and scale are not undone.
     */
    public static float[][][] untokenize(Tokens tokens) {
        int p = tokens.patchSize(), n = tokens.gridSize(), bandCount = tokens.bandCount(), dim = tokens.tokenDim();
        int side = tokens.cropSize();
        SpiralOrder spiral = SpiralOrder.of(n);
        float[] data = tokens.data();
        float[][][] image = new float[bandCount][side][side];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int base = spiral.positionOfCell[i * n + j] * dim;
                for (int c = 0; c < bandCount; c++) {
                    for (int py = 0; py < p; py++) {
                        float[] row = image[c][p * j + py];
                        for (int px = 0; px < p; px++) {
                            row[p * i + px] = data[base + (px * p + py) * bandCount + c];
                        }
                    }
                }
            }
        }
        return image;
    }
}
