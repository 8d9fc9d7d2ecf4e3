package org.astropt.stream.core.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * What one synthetic alert adds to its static scene, in nanomaggies per pixel of the alert stamp: light
 * in the science exposure only (before its noise), light in the template and in the matched template,
 * detector defects (after the noise), stars in both epochs, and the science exposure's misalignment.
 */
final class AlertLayers {

    /** New light in the science exposure: a transient, a variable star's change, a ghost. */
    final double[][] scienceExtra;
    /** Light in the template only (a bright star seen through the template PSF). */
    final double[][] templateExtra;
    /** What the subtraction removes beyond the static scene (a bright star through a mismatched PSF). */
    final double[][] matchedExtra;
    /** Added to the science exposure after its noise: cosmic rays, hot pixels, bad columns. */
    final double[][] defects;
    /** Stars in both epochs, each {x, y, flux}. */
    final List<double[]> staticStars = new ArrayList<>();
    /** Misalignment of the science exposure against the template, pixels. */
    double shiftX, shiftY;

    AlertLayers(int size) {
        scienceExtra = new double[size][size];
        templateExtra = new double[size][size];
        matchedExtra = new double[size][size];
        defects = new double[size][size];
    }

    void staticStar(double x, double y, double flux) {
        staticStars.add(new double[] {x, y, flux});
    }
}
