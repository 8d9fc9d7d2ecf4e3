package org.astropt.stream.core.sim;

import java.util.List;

/**
 * Everything drawn for one cutout before it is rendered: the galaxy's components, its neighbours and the
 * observing conditions, and for a novel object what it adds to its main galaxy. Positions in cutout pixels
 * (x right, y down), sizes in pixels, fluxes in nanomaggies per band (g, r, z).
 *
 * @param novel null for an ordinary galaxy
 */
record Scene(
        Morphology morphology, double redshift,
        double centreX, double centreY, double positionAngleDeg, double inclinationDeg,
        Component bulge, Component disc, Spiral arms,
        double[] psfFwhmPx, double[] noiseSigma, double[] skyLevel,
        List<Component> backgroundGalaxies, List<PointSource> stars, Novel novel) {

    /** An ordinary galaxy's scene. */
    Scene(Morphology morphology, double redshift, double centreX, double centreY, double positionAngleDeg, double inclinationDeg,
          Component bulge, Component disc, Spiral arms, double[] psfFwhmPx, double[] noiseSigma, double[] skyLevel,
          List<Component> backgroundGalaxies, List<PointSource> stars) {
        this(morphology, redshift, centreX, centreY, positionAngleDeg, inclinationDeg, bulge, disc, arms,
                psfFwhmPx, noiseSigma, skyLevel, backgroundGalaxies, stars, null);
    }

    /**
     * An elliptical Sersic component.
     *
     * @param positionAngleDeg major axis from up towards left, degrees
     */
    record Component(double x, double y, double sersicIndex, double halfLightPx, double axisRatio,
                     double positionAngleDeg, double[] flux) {

        Component moved(double dx, double dy) {
            return new Component(x + dx, y + dy, sersicIndex, halfLightPx, axisRatio, positionAngleDeg, flux);
        }

        Component withFlux(double[] f) {
            return new Component(x, y, sersicIndex, halfLightPx, axisRatio, positionAngleDeg, f);
        }
    }

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
    record PointSource(double x, double y, double[] flux) {

        PointSource moved(double dx, double dy) { return new PointSource(x + dx, y + dy, flux); }
    }

    /** A round Gaussian clump of light before the PSF: chains of them draw tidal tails, bridges and rings. */
    record Clump(double x, double y, double sigmaPx, double[] flux) {}

    /**
     * A background galaxy seen through a lens.
     *
     * @param source        the galaxy where it is in the source plane (unlensed), with its intrinsic flux
     * @param magnification lensed over intrinsic flux, all images together
     */
    record LensedSource(GravitationalLens lens, Component source, double magnification) {}

    /**
     * What a novel object adds to its main galaxy (the scene's bulge and disc).
     *
     * @param galaxies more galaxies: a merger's partner, a ring's intruder
     * @param clumps   tidal tails, bridges, a ring
     * @param knots    star-forming knots, unresolved before the PSF
     * @param lensed   a lensed background galaxy, or null
     * @param details  one line of at most 68 characters (a FITS card), no commas or semicolons (see GalaxyTruth)
     */
    record Novel(NovelKind kind, List<Component> galaxies, List<Clump> clumps, List<PointSource> knots,
                 LensedSource lensed, String details) {

        /** Everything it adds, in band b; the lensed galaxy as it is seen (magnified). */
        double flux(int b) {
            double f = 0;
            for (Component c : galaxies) f += c.flux()[b];
            for (Clump c : clumps) f += c.flux()[b];
            for (PointSource k : knots) f += k.flux()[b];
            if (lensed != null) f += lensed.source().flux()[b] * lensed.magnification();
            return f;
        }
    }

    /**
     * The same scene moved by (dx, dy) pixels: every component, knot, neighbour and field galaxy. Only for
     * ordinary scenes (a novel object's parts are not moved: it throws).
     */
    Scene moved(double dx, double dy) {
        if (novel != null) throw new IllegalStateException("a novel object's scene cannot be moved");
        Spiral a = arms == null ? null : new Spiral(arms.count(), arms.pitchDeg(), arms.phaseRad(), arms.chirality(),
                arms.innerRadiusPx(), arms.flux(), arms.knots().stream().map(k -> k.moved(dx, dy)).toList());
        return new Scene(morphology, redshift, centreX + dx, centreY + dy, positionAngleDeg, inclinationDeg,
                bulge.moved(dx, dy), disc.moved(dx, dy), a, psfFwhmPx, noiseSigma, skyLevel,
                backgroundGalaxies.stream().map(c -> c.moved(dx, dy)).toList(),
                stars.stream().map(p -> p.moved(dx, dy)).toList(), null);
    }

    /** The same objects seen through another PSF: its FWHM in pixels per band. */
    Scene seenThrough(double[] fwhmPx) {
        return new Scene(morphology, redshift, centreX, centreY, positionAngleDeg, inclinationDeg, bulge, disc, arms,
                fwhmPx, noiseSigma, skyLevel, backgroundGalaxies, stars, novel);
    }

    /** The same scene with its main galaxy (bulge, disc, arms) taken out: a field of stars and faint galaxies. */
    Scene withoutMainGalaxy() {
        double[] none = new double[bulge.flux().length];
        return new Scene(morphology, redshift, centreX, centreY, positionAngleDeg, inclinationDeg,
                bulge.withFlux(none), disc.withFlux(none), null, psfFwhmPx, noiseSigma, skyLevel,
                backgroundGalaxies, stars, novel);
    }

    /** Flux of the main galaxy (bulge, disc and arms) in band b. */
    double mainGalaxyFlux(int b) {
        return bulge.flux()[b] + disc.flux()[b] + (arms == null ? 0 : arms.totalFlux(b));
    }

    /** Total flux of the object in band b: the main galaxy, and for a novel object all it adds. */
    double galaxyFlux(int b) {
        return mainGalaxyFlux(b) + (novel == null ? 0 : novel.flux(b));
    }
}
