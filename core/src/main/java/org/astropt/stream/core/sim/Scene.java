package org.astropt.stream.core.sim;

import java.util.List;

/**
 * Everything drawn for one cutout before it is rendered: the galaxy's components, its neighbours and the
 * observing conditions. Positions in cutout pixels (x right, y down), sizes in pixels, fluxes in
 * nanomaggies per band (g, r, z).
 */
record Scene(
        Morphology morphology, double redshift,
        double centreX, double centreY, double positionAngleDeg, double inclinationDeg,
        Component bulge, Component disc, Spiral arms,
        double[] psfFwhmPx, double[] noiseSigma, double[] skyLevel,
        List<Component> backgroundGalaxies, List<PointSource> stars) {

    /**
     * An elliptical Sersic component.
     *
     * @param positionAngleDeg major axis from up towards left, degrees
     */
    record Component(double x, double y, double sersicIndex, double halfLightPx, double axisRatio,
                     double positionAngleDeg, double[] flux) {}

    /**
     * Logarithmic arms laid on the disc: same centre, orientation and scale length.
     *
     * @param chirality     +1 or -1: the sense the arms wind
     * @param innerRadiusPx below this radius the arms fade out (into the bulge)
     * @param flux          flux of the smooth arms, without the knots
     * @param knots         star-forming knots on the arm crests, unresolved before the PSF
     */
    record Spiral(int count, double pitchDeg, double phaseRad, int chirality, double innerRadiusPx,
                  double[] flux, List<PointSource> knots) {

        /** Flux of the arms with their knots in band b. */
        double totalFlux(int b) {
            double f = flux[b];
            for (PointSource k : knots) f += k.flux()[b];
            return f;
        }
    }

    /** A star: the PSF at (x, y). */
    record PointSource(double x, double y, double[] flux) {}

    /** Total flux of the galaxy (bulge, disc and arms) in band b. */
    double galaxyFlux(int b) {
        return bulge.flux()[b] + disc.flux()[b] + (arms == null ? 0 : arms.totalFlux(b));
    }
}
