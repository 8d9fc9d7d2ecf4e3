package org.astropt.stream.core.sim;

import java.util.Arrays;

/**
 * Measurements made on cutout pixels the way an astronomer would check them, independent of how the
 * generator drew them: aperture sums, light-weighted centroids and second moments, robust noise.
 */
final class Photometry {

    private Photometry() {}

    /** Sum of finite pixels whose centre is within radius of (cx, cy); radius <= 0 means every pixel. */
    static double apertureFlux(float[][] band, double cx, double cy, double radius) {
        double sum = 0;
        for (int y = 0; y < band.length; y++) {
            for (int x = 0; x < band[0].length; x++) {
                boolean inside = radius <= 0 || (x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius;
                if (inside && Float.isFinite(band[y][x])) sum += band[y][x];
            }
        }
        return sum;
    }

    /** Number of pixels in the aperture, for the noise on its sum. */
    static int aperturePixels(float[][] band, double cx, double cy, double radius) {
        int n = 0;
        for (int y = 0; y < band.length; y++) {
            for (int x = 0; x < band[0].length; x++) {
                if (radius <= 0 || (x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius) n++;
            }
        }
        return n;
    }

    /** Light-weighted centroid {x, y} inside the aperture. */
    static double[] centroid(float[][] band, double cx, double cy, double radius) {
        double s = 0, sx = 0, sy = 0;
        for (int y = 0; y < band.length; y++) {
            for (int x = 0; x < band[0].length; x++) {
                if ((x - cx) * (x - cx) + (y - cy) * (y - cy) > radius * radius) continue;
                s += band[y][x];
                sx += band[y][x] * x;
                sy += band[y][x] * y;
            }
        }
        return new double[] {sx / s, sy / s};
    }

    /**
     * Position angle of the major axis from light-weighted second moments about (cx, cy), in degrees
     * from up towards left, in [0, 180). Display coordinates: x right, y down.
     */
    static double positionAngle(float[][] band, double cx, double cy, double radius) {
        double mxx = 0, myy = 0, mxy = 0;
        for (int y = 0; y < band.length; y++) {
            for (int x = 0; x < band[0].length; x++) {
                double dx = x - cx, dy = y - cy;
                if (dx * dx + dy * dy > radius * radius) continue;
                double w = band[y][x];
                mxx += w * dx * dx;
                myy += w * dy * dy;
                mxy += w * dx * dy;
            }
        }
        double theta = 0.5 * Math.atan2(2 * mxy, mxx - myy);   // major axis direction (cos, sin) in x, y-down
        double ux = Math.cos(theta), uy = Math.sin(theta);
        // Up is (0, -1) and left is (-1, 0): a PA of p points along (-sin p, -cos p).
        double pa = Math.toDegrees(Math.atan2(-ux, -uy));
        return ((pa % 180) + 180) % 180;
    }

    /** Noise sigma from neighbouring-pixel differences (1.4826 MAD / sqrt 2): blind to smooth light. */
    static double differenceSigma(float[][] band) {
        int h = band.length, w = band[0].length;
        double[] d = new double[h * (w - 1)];
        int n = 0;
        for (float[] row : band) {
            for (int x = 0; x + 1 < w; x++) d[n++] = row[x + 1] - row[x];
        }
        Arrays.sort(d);
        double median = d[d.length / 2];
        double[] dev = Arrays.stream(d).map(v -> Math.abs(v - median)).sorted().toArray();
        return 1.4826 * dev[dev.length / 2] / Math.sqrt(2);
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** Flux in nanomaggies of an AB magnitude (zero point 22.5), computed here, not by the generator. */
    static double nanomaggies(double mag) {
        return Math.pow(10, (22.5 - mag) / 2.5);
    }
}
