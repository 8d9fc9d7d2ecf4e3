package org.astropt.stream.core.sim;

import java.util.List;

/**
 * One number per band of the synthetic survey, in its band order g, r, z: magnitudes, PSF widths,
 * noise levels.
 */
public record BandValues(double g, double r, double z) {

    /** The band names, in the order of the cutout planes. */
    public static final List<String> BANDS = List.of("g", "r", "z");

    static BandValues of(double[] perBand) {
        return new BandValues(perBand[0], perBand[1], perBand[2]);
    }

    /** The value of band {@code b} (0 = g, 1 = r, 2 = z). */
    public double get(int b) {
        return switch (b) {
            case 0 -> g;
            case 1 -> r;
            case 2 -> z;
            default -> throw new IndexOutOfBoundsException("band " + b + " of 3");
        };
    }
}
