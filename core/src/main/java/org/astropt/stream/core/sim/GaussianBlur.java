package org.astropt.stream.core.sim;

/** A separable Gaussian convolution of an image, kernel normalised to 1 and cut at 4 sigma, edges clamped. */
final class GaussianBlur {

    private GaussianBlur() {}

    /** The image convolved with a round Gaussian of this sigma in pixels (a copy when sigma is 0). */
    static double[][] blur(double[][] image, double sigma) {
        int h = image.length, w = image[0].length;
        if (!(sigma > 0)) {
            double[][] out = new double[h][];
            for (int j = 0; j < h; j++) out[j] = image[j].clone();
            return out;
        }
        int r = (int) Math.ceil(4 * sigma);
        double[] k = new double[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) sum += k[i + r] = StrictMath.exp(-0.5 * i * i / (sigma * sigma));
        for (int i = 0; i < k.length; i++) k[i] /= sum;
        double[][] rows = new double[h][w], out = new double[h][w];
        for (int j = 0; j < h; j++) {
            for (int i = 0; i < w; i++) {
                double v = 0;
                for (int d = -r; d <= r; d++) v += k[d + r] * image[j][Math.min(w - 1, Math.max(0, i + d))];
                rows[j][i] = v;
            }
        }
        for (int j = 0; j < h; j++) {
            for (int i = 0; i < w; i++) {
                double v = 0;
                for (int d = -r; d <= r; d++) v += k[d + r] * rows[Math.min(h - 1, Math.max(0, j + d))][i];
                out[j][i] = v;
            }
        }
        return out;
    }
}
