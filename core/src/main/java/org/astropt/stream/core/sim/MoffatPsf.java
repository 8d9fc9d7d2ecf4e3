package org.astropt.stream.core.sim;

/**
 * A circular Moffat PSF, I(r) = (beta - 1) / (pi alpha^2) (1 + r^2 / alpha^2)^-beta, with beta = 3.5: a
 * Gaussian core with the extended wings that ground-based seeing gives (DECam PSFs fit beta near 3.5).
 */
final class MoffatPsf {

    /** Wing exponent; fixed so the profile needs only a square root (x^-3.5 = 1 / (x^3 sqrt x)). */
    static final double BETA = 3.5;
    /** Sub-samples per pixel side when integrating over a pixel: alpha is at least 3 px here, so 3 is ample. */
    private static final int SUB = 3;

    private final double fwhm;
    private final double alpha;
    private final double norm;

    /** @param fwhm full width at half maximum in pixels */
    MoffatPsf(double fwhm) {
        this.fwhm = fwhm;
        this.alpha = fwhm / (2 * Math.sqrt(StrictMath.pow(2, 1 / BETA) - 1));
        this.norm = (BETA - 1) / (Math.PI * alpha * alpha);
    }

    /** Full width at half maximum, pixels. */
    double fwhm() { return fwhm; }

    /** Surface density at squared radius r2 (pixels^2), normalised to unit total flux. */
    double density(double r2) {
        double x = 1 + r2 / (alpha * alpha);
        return norm / (x * x * x * Math.sqrt(x));
    }

    /** Flux fraction within a pixel whose centre is (dx, dy) from the PSF centre. */
    double pixel(double dx, double dy) {
        double sum = 0;
        for (int j = 0; j < SUB; j++) {
            double y = dy + (j + 0.5) / SUB - 0.5;
            for (int i = 0; i < SUB; i++) {
                double x = dx + (i + 0.5) / SUB - 0.5;
                sum += density(x * x + y * y);
            }
        }
        return sum / (SUB * SUB);
    }

    /**
     * The pixel-integrated kernel on a (2 radius + 1)^2 grid, [dy + radius][dx + radius], rescaled to sum
     * to 1 so convolution conserves flux (it misses under 1 % of the light beyond 2.3 FWHM).
     */
    double[][] kernel(int radius) {
        int w = 2 * radius + 1;
        double[][] k = new double[w][w];
        for (int y = 0; y <= radius; y++) {                 // one octant, mirrored eight ways
            for (int x = 0; x <= y; x++) {
                double v = pixel(x, y);
                for (int[] p : new int[][] {{x, y}, {y, x}}) {
                    k[radius + p[1]][radius + p[0]] = v;
                    k[radius - p[1]][radius + p[0]] = v;
                    k[radius + p[1]][radius - p[0]] = v;
                    k[radius - p[1]][radius - p[0]] = v;
                }
            }
        }
        double sum = 0;
        for (double[] row : k) {
            for (double v : row) sum += v;
        }
        for (double[] row : k) {
            for (int x = 0; x < w; x++) row[x] /= sum;
        }
        return k;
    }

    /**
     * Noise-equivalent area 1 / integral(p^2) in pixels^2, the area whose noise a point source's flux
     * carries: pi alpha^2 (2 beta - 1) / (beta - 1)^2 for a Moffat (pixelisation adds under 2 % here).
     */
    double noiseEquivalentArea() {
        return Math.PI * alpha * alpha * (2 * BETA - 1) / ((BETA - 1) * (BETA - 1));
    }

    /**
     * Adds a point source of the given flux at (x, y) to a [y][x] image, out to {@code radius} pixels
     * from it (the light beyond is dropped).
     */
    void addPoint(double[][] image, double x, double y, double flux, int radius) {
        int h = image.length, w = image[0].length;
        int x0 = Math.max(0, (int) Math.floor(x - radius)), x1 = Math.min(w - 1, (int) Math.ceil(x + radius));
        int y0 = Math.max(0, (int) Math.floor(y - radius)), y1 = Math.min(h - 1, (int) Math.ceil(y + radius));
        for (int py = y0; py <= y1; py++) {
            for (int px = x0; px <= x1; px++) {
                image[py][px] += flux * pixel(px - x, py - y);
            }
        }
    }
}
