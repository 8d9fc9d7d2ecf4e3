package org.astropt.stream.core.token;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.astropt.stream.core.image.CutoutImage;
import org.junit.jupiter.api.Test;

/**
 * The tokenizer's values are bit for bit those of its plain two-pass form (gather a token, sum it row by
 * row, mean, four-way sum of squared deviations, scale each value), written out here one token at a time:
 * so a faster tokenizer cannot drift from what the models were checked against by a rounding.
 */
class TokenizerBitsTest {

    @Test
    void tokensAreBitForBitThePlainTwoPassNormalisation() {
        Random random = new Random(20261206);
        int[][] shapes = {{3, 64, 64}, {3, 256, 256}, {3, 40, 70}, {1, 51, 51}, {2, 33, 80}, {3, 17, 16}};
        for (int[] shape : shapes) {
            for (Integer size : new Integer[] {null, 64}) {
                float[][][] pixels = new float[shape[0]][shape[1]][shape[2]];
                for (float[][] band : pixels) {
                    for (float[] row : band) {
                        for (int x = 0; x < row.length; x++) {
                            double v = random.nextGaussian() * Math.pow(10, random.nextInt(6) - 3) + random.nextInt(3);
                            row[x] = random.nextInt(500) == 0 ? Float.NaN : (float) v;
                        }
                    }
                }
                List<String> bands = List.of("g", "r", "z").subList(0, shape[0]);
                CutoutImage image = new CutoutImage(pixels, bands, Map.of());
                PatchTokenizer tokenizer = new PatchTokenizer(TokenizerSettings.defaults().withSize(size));
                Tokens tokens = tokenizer.tokenize("bits", image);
                float[] expected = plainTwoPass(tokenizer, pixels);
                String what = shape[0] + "x" + shape[1] + "x" + shape[2] + " to " + size;
                assertEquals(expected.length, tokens.data().length, what);
                for (int k = 0; k < expected.length; k++) {
                    if (Float.floatToRawIntBits(expected[k]) != Float.floatToRawIntBits(tokens.data()[k])) {
                        assertEquals(expected[k], tokens.data()[k], what + " value " + k);
                    }
                }
            }
        }
    }

    /** Token by token: gather, row sums in x order added band by band and row by row, then normalise. */
    private static float[] plainTwoPass(PatchTokenizer tokenizer, float[][][] pixels) {
        int p = tokenizer.settings().patchSize(), c = pixels.length, h = pixels[0].length, w = pixels[0][0].length;
        PatchTokenizer.Grid grid = tokenizer.grid(w, h);
        int n = grid.gridSize(), dim = p * p * c;
        SpiralOrder spiral = SpiralOrder.of(n);
        float[] out = new float[n * n * dim];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                float[] token = new float[dim];
                double sum = 0;
                for (int b = 0; b < c; b++) {
                    for (int py = 0; py < p; py++) {
                        int y = grid.y0() + p * j + py;
                        if (y < 0 || y >= h) continue; // padding rows add nothing
                        double rowSum = 0;
                        for (int px = 0; px < p; px++) {
                            int x = grid.x0() + p * i + px;
                            if (x < 0 || x >= w) continue;
                            float v = pixels[b][y][x];
                            token[(px * p + py) * c + b] = v;
                            rowSum += v;
                        }
                        sum += rowSum;
                    }
                }
                if (!Double.isFinite(sum)) {
                    for (int k = 0; k < dim; k++) if (!Float.isFinite(token[k])) token[k] = 0f;
                    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                    int k = 0;
                    for (; k + 3 < dim; k += 4) {
                        s0 += token[k];
                        s1 += token[k + 1];
                        s2 += token[k + 2];
                        s3 += token[k + 3];
                    }
                    for (; k < dim; k++) s0 += token[k];
                    sum = (s0 + s1) + (s2 + s3);
                }
                double mean = sum / dim;
                double q0 = 0, q1 = 0, q2 = 0, q3 = 0;
                int k = 0;
                for (; k + 3 < dim; k += 4) {
                    double d0 = token[k] - mean, d1 = token[k + 1] - mean, d2 = token[k + 2] - mean, d3 = token[k + 3] - mean;
                    q0 += d0 * d0;
                    q1 += d1 * d1;
                    q2 += d2 * d2;
                    q3 += d3 * d3;
                }
                for (; k < dim; k++) {
                    double d = token[k] - mean;
                    q0 += d * d;
                }
                double scale = 1.0 / (Math.sqrt(((q0 + q1) + (q2 + q3)) / (dim - 1)) + PatchTokenizer.STD_EPSILON);
                int base = spiral.positionOfCell[i * n + j] * dim;
                for (k = 0; k < dim; k++) out[base + k] = (float) ((token[k] - mean) * scale);
            }
        }
        return out;
    }
}
