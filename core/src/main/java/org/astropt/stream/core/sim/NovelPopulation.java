package org.astropt.stream.core.sim;

import static org.astropt.stream.core.sim.Deviates.flux;
import static org.astropt.stream.core.sim.Deviates.gaussian;
import static org.astropt.stream.core.sim.Deviates.uniform;
import static org.astropt.stream.core.sim.GalaxyPopulation.axisRatioOf;
import static org.astropt.stream.core.sim.GalaxyPopulation.bandFluxes;
import static org.astropt.stream.core.sim.GalaxyPopulation.clamp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Draws the novel objects of {@link NovelKind} in place of a cutout's ordinary galaxy: the cutout keeps its
 * observing conditions (PSF, depth, sky) and its neighbouring stars and field galaxies, and gets a merger,
 * a ring galaxy or a lens instead. The whole system's r magnitude follows the ordinary galaxies' number
 * counts (10^(0.3 m)) but only down to r = 19.5 ({@link #FAINTEST}), as catalogued ones do: their structure has
 * to show at DECaLS depth to be what they are. So brightness alone does not tell them from ordinary galaxies
 * of r below 19.5, which is the population to judge a novelty score against (all ordinary galaxies are
 * mostly fainter, and a score that flags bright objects would rank novel ones high for the wrong reason).
 * Colours follow the ordinary population's: red bulges and lenses (g - r 0.75 + z), blue star-forming
 * tails, rings and knots (g - r 0.25 to 0.45), a blue high-redshift lensed source.
 */
final class NovelPopulation {

    /** Faintest total r magnitude of a novel object: fainter, their tails, rings and arcs sink into the sky. */
    static final double FAINTEST = 19.5;
    /** Spacing of the clumps along a tail, bridge or ring, pixels: close enough that the PSF makes them one. */
    private static final double CLUMP_STEP = 0.6;

    private final double pixelScale;

    NovelPopulation(double pixelScale) {
        this.pixelScale = pixelScale;
    }

    /** A novel object of this kind in the ordinary scene's place; rng is the galaxy's novel stream. */
    Scene sample(NovelKind kind, Scene ordinary, SplittableRandom rng, int size) {
        return switch (kind) {
            case MERGER -> merger(ordinary, rng, size);
            case RING -> ring(ordinary, rng, size);
            case LENSED_ARC -> lens(ordinary, rng);
        };
    }

    /** Two disc galaxies of comparable flux, a tidal tail out of each (an S shape), a bridge on half of them. */
    private Scene merger(Scene o, SplittableRandom rng, int size) {
        double z = uniform(rng, 0.02, 0.12);
        double total = flux(systemMagnitude(rng));
        double ratio = uniform(rng, 0.35, 1.0);                 // partner over main galaxy, r
        double tailShare = uniform(rng, 0.12, 0.25);            // of the system's r flux, tails and bridge
        double f1 = total * (1 - tailShare) / (1 + ratio), f2 = ratio * f1;
        double re1 = uniform(rng, 1.3, 2.4) / pixelScale;
        double re2 = re1 * Math.sqrt(ratio) * uniform(rng, 0.85, 1.15);
        double sep = Math.min(uniform(rng, 0.9, 1.8) * (re1 + re2), 0.42 * size);
        double phi = uniform(rng, 0, 2 * Math.PI);
        double dx = StrictMath.cos(phi), dy = StrictMath.sin(phi);
        double x1 = o.centreX() - sep * ratio / (1 + ratio) * dx, y1 = o.centreY() - sep * ratio / (1 + ratio) * dy;
        double x2 = x1 + sep * dx, y2 = y1 + sep * dy;
        Scene.Component[] main = discGalaxy(rng, x1, y1, re1, f1, z);
        Scene.Component[] partner = discGalaxy(rng, x2, y2, re2, f2, z);

        double tailGR = 0.38 + 0.6 * z + 0.05 * gaussian(rng), tailRZ = 0.25 + 0.5 * z + 0.04 * gaussian(rng);
        boolean bridge = rng.nextBoolean();
        double bridgeShare = bridge ? uniform(rng, 0.15, 0.3) : 0;
        double tailFlux = total * tailShare * (1 - bridgeShare);
        int sense = rng.nextBoolean() ? 1 : -1;                 // both tails wind the same way: an S
        List<Scene.Clump> clumps = new ArrayList<>();
        List<Scene.PointSource> knots = new ArrayList<>();
        tail(rng, clumps, knots, x1, y1, phi + Math.PI, re1, sense, tailFlux / (1 + ratio), tailGR, tailRZ);
        tail(rng, clumps, knots, x2, y2, phi, re2, sense, tailFlux * ratio / (1 + ratio), tailGR, tailRZ);
        if (bridge) {
            // A quadratic Bezier from one centre to the other, bowed sideways.
            double bow = uniform(rng, -0.3, 0.3) * sep;
            double mx = (x1 + x2) / 2 - dy * bow, my = (y1 + y2) / 2 + dx * bow;
            double sigma = uniform(rng, 0.3, 0.5) / pixelScale;
            int n = (int) Math.ceil(sep / CLUMP_STEP);
            double[] w = new double[n];
            double sum = 0;
            for (int i = 0; i < n; i++) sum += w[i] = uniform(rng, 0.6, 1.4);
            for (int i = 0; i < n; i++) {
                double t = (i + 0.5) / n, a = (1 - t) * (1 - t), b = 2 * t * (1 - t), c = t * t;
                clumps.add(new Scene.Clump(a * x1 + b * mx + c * x2, a * y1 + b * my + c * y2, sigma,
                        bandFluxes(total * tailShare * bridgeShare * w[i] / sum, tailGR, tailRZ)));
            }
        }
        String details = String.format(Locale.ROOT, "flux_ratio=%.2f separation=%.2f bridge=%s",
                ratio, sep * pixelScale, bridge ? "yes" : "no");
        double incl = GalaxyPopulation.inclinationOf(main[1].axisRatio());
        return novelScene(o, Morphology.SPIRAL, z, x1, y1, main[1].positionAngleDeg(), incl, main[0], main[1],
                new Scene.Novel(NovelKind.MERGER, List.of(partner), clumps, knots, null, details));
    }

    /**
     * One tidal tail from a galaxy at (x, y): it leaves at angle start (radians, away from the partner) and
     * sweeps 35 to 100 degrees in the given sense while reaching out 1.8 to 3.5 half-light radii beyond 0.8 r_e,
     * widening and fading, lumpy, with a few star-forming knots.
     */
    private void tail(SplittableRandom rng, List<Scene.Clump> clumps, List<Scene.PointSource> knots, double x, double y,
                      double start, double re, int sense, double flux, double gr, double rz) {
        double a0 = start + uniform(rng, -0.6, 0.6);
        double sweep = sense * uniform(rng, 0.6, 1.8);
        double r0 = 0.8 * re, length = uniform(rng, 1.8, 3.5) * re;
        double pathLength = length + (r0 + length / 2) * Math.abs(sweep);
        int n = (int) Math.ceil(pathLength / CLUMP_STEP);
        double knotShare = uniform(rng, 0.05, 0.2);
        double[] w = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) sum += w[i] = StrictMath.exp(-2.0 * i / n) * uniform(rng, 0.6, 1.4);
        for (int i = 0; i < n; i++) {
            double t = (i + 0.5) / n, r = r0 + length * t, a = a0 + sweep * t;
            double sigma = (0.2 + 0.3 * t) / pixelScale;
            clumps.add(new Scene.Clump(x + r * StrictMath.cos(a), y + r * StrictMath.sin(a), sigma,
                    bandFluxes(flux * (1 - knotShare) * w[i] / sum, gr, rz)));
        }
        int knotCount = 1 + rng.nextInt(4);
        for (int k = 0; k < knotCount; k++) {
            double t = uniform(rng, 0.2, 0.9), r = r0 + length * t, a = a0 + sweep * t;
            knots.add(new Scene.PointSource(x + r * StrictMath.cos(a), y + r * StrictMath.sin(a),
                    bandFluxes(flux * knotShare / knotCount, gr - 0.15, rz - 0.1)));
        }
    }

    /** A disc galaxy {bulge, disc} of r flux f and disc half-light radius re (pixels), seen at a random angle. */
    private static Scene.Component[] discGalaxy(SplittableRandom rng, double x, double y, double re, double f, double z) {
        double bt = uniform(rng, 0.1, 0.45);
        double incl = StrictMath.toDegrees(StrictMath.acos(uniform(rng, 0.2, 1)));
        double q = axisRatioOf(incl), pa = uniform(rng, 0, 180);
        double bulgeGR = 0.75 + 1.0 * z + 0.04 * gaussian(rng), bulgeRZ = 0.62 + 0.8 * z + 0.04 * gaussian(rng);
        double discGR = 0.45 + 0.6 * z + 0.07 * gaussian(rng), discRZ = 0.38 + 0.5 * z + 0.05 * gaussian(rng);
        Scene.Component bulge = new Scene.Component(x, y, uniform(rng, 1.5, 4), Math.max(1, uniform(rng, 0.15, 0.35) * re),
                1 - (1 - q) * uniform(rng, 0.2, 0.5), pa, bandFluxes(bt * f, bulgeGR, bulgeRZ));
        Scene.Component disc = new Scene.Component(x, y, 1, re, q, pa, bandFluxes((1 - bt) * f, discGR, discRZ));
        return new Scene.Component[] {bulge, disc};
    }

    /**
     * A collisional ring: a blue ring of clumps (lopsided, slightly oval) with knots on it holding most of
     * the light, a compact red nucleus off its centre (almost none on a quarter of them), a faint wide disc
     * of old stars, and on 65 % the intruder that passed through it.
     */
    private Scene ring(Scene o, SplittableRandom rng, int size) {
        double z = uniform(rng, 0.02, 0.1);
        double intruderShare = rng.nextDouble() < 0.65 ? uniform(rng, 0.08, 0.3) : 0;   // of the ring galaxy's flux
        double f = flux(systemMagnitude(rng)) / (1 + intruderShare);
        double radius = Math.min(uniform(rng, 2.8, 5.0) / pixelScale, 0.36 * size);
        double incl = StrictMath.toDegrees(StrictMath.acos(uniform(rng, 0.45, 1)));
        double q = axisRatioOf(incl), pa = uniform(rng, 0, 180);
        double nucleusShare = rng.nextDouble() < 0.25 ? uniform(rng, 0.01, 0.05) : uniform(rng, 0.06, 0.2);
        double discShare = uniform(rng, 0.05, 0.15);            // the old stars the wave left behind
        double ringShare = 1 - nucleusShare - discShare;
        double knotShare = uniform(rng, 0.15, 0.3);             // of the ring
        double ringGR = 0.25 + 0.6 * z + 0.05 * gaussian(rng), ringRZ = 0.15 + 0.5 * z + 0.04 * gaussian(rng);
        double cx = o.centreX(), cy = o.centreY();
        double pr = StrictMath.toRadians(pa);
        double ux = -StrictMath.sin(pr), uy = -StrictMath.cos(pr), vx = -uy, vy = ux;  // as SceneRenderer

        double lopsided = uniform(rng, 0, 0.7), brightAt = uniform(rng, 0, 2 * Math.PI);
        double oval = uniform(rng, 0, 0.1), ovalAt = uniform(rng, 0, Math.PI);
        double sigma = Math.max(0.3 / pixelScale, uniform(rng, 0.1, 0.18) * radius);
        int n = (int) Math.ceil(2 * Math.PI * radius / CLUMP_STEP);
        double[] w = new double[n], ax = new double[n], by = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double t = 2 * Math.PI * i / n;
            double r = radius * (1 + oval * StrictMath.cos(2 * (t - ovalAt)));
            ax[i] = r * StrictMath.cos(t);
            by[i] = q * r * StrictMath.sin(t);
            sum += w[i] = (1 + lopsided * StrictMath.cos(t - brightAt)) * uniform(rng, 0.7, 1.3);
        }
        List<Scene.Clump> clumps = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            clumps.add(new Scene.Clump(cx + ax[i] * ux + by[i] * vx, cy + ax[i] * uy + by[i] * vy, sigma,
                    bandFluxes(f * ringShare * (1 - knotShare) * w[i] / sum, ringGR, ringRZ)));
        }
        List<Scene.PointSource> knots = new ArrayList<>();
        int knotCount = 6 + rng.nextInt(11);
        for (int k = 0; k < knotCount; k++) {
            double t = uniform(rng, 0, 2 * Math.PI), r = radius * (1 + 0.08 * gaussian(rng));
            double a = r * StrictMath.cos(t), b = q * r * StrictMath.sin(t);
            knots.add(new Scene.PointSource(cx + a * ux + b * vx, cy + a * uy + b * vy,
                    bandFluxes(f * ringShare * knotShare / knotCount, ringGR - 0.15, ringRZ - 0.1)));
        }

        double off = uniform(rng, 0, 0.35) * radius, offAt = uniform(rng, 0, 2 * Math.PI);
        double na = off * StrictMath.cos(offAt), nb = q * off * StrictMath.sin(offAt);
        double nx = cx + na * ux + nb * vx, ny = cy + na * uy + nb * vy;
        double bulgeGR = 0.75 + 1.0 * z + 0.04 * gaussian(rng), bulgeRZ = 0.62 + 0.8 * z + 0.04 * gaussian(rng);
        Scene.Component nucleus = new Scene.Component(nx, ny, uniform(rng, 2, 4), uniform(rng, 0.3, 0.6) / pixelScale,
                uniform(rng, 0.7, 1), pa, bandFluxes(f * nucleusShare, bulgeGR, bulgeRZ));
        Scene.Component disc = new Scene.Component(cx, cy, 1, uniform(rng, 1.0, 1.4) * radius, q, pa,
                bandFluxes(f * discShare, 0.55 + 0.6 * z, 0.4 + 0.5 * z));

        List<Scene.Component> intruder = new ArrayList<>();
        if (intruderShare > 0) {
            double d = Math.min(uniform(rng, 1.4, 2.4) * radius, 0.45 * size), at = uniform(rng, 0, 2 * Math.PI);
            intruder.add(new Scene.Component(cx + d * StrictMath.cos(at), cy + d * StrictMath.sin(at), uniform(rng, 1.5, 3),
                    uniform(rng, 0.4, 0.9) / pixelScale, uniform(rng, 0.6, 1), uniform(rng, 0, 180),
                    bandFluxes(f * intruderShare, uniform(rng, 0.5, 0.9), uniform(rng, 0.35, 0.65))));
        }
        String details = String.format(Locale.ROOT, "radius=%.2f nucleus=%.2f nucleus_offset=%.2f intruder=%s",
                radius * pixelScale, nucleusShare, off * pixelScale, intruder.isEmpty() ? "no" : "yes");
        return novelScene(o, Morphology.SPIRAL, z, cx, cy, pa, incl, nucleus, disc,
                new Scene.Novel(NovelKind.RING, intruder, clumps, knots, null, details));
    }

    /**
     * A red massive elliptical (z 0.25 to 0.6) lensing a small blue galaxy behind it: Einstein radius 1.2 to
     * 3 arcsec (smaller ones hide under a ground-based PSF), the source 0.02 to 0.5 Einstein radii off the
     * axis (arcs; near the axis an Einstein ring), external shear up to 0.12, mostly along the lens's major
     * axis, the lens's half-light radius 0.45 to 0.9 Einstein radii so the arcs stand clear of its core.
     */
    private Scene lens(Scene o, SplittableRandom rng) {
        double z = uniform(rng, 0.25, 0.6);
        double total = flux(systemMagnitude(rng));
        double einstein = uniform(rng, 1.2, 3.0) / pixelScale;
        double re = clamp(einstein * pixelScale * uniform(rng, 0.45, 0.9), 0.5, 2.5) / pixelScale;
        double q = clamp(1 - Math.abs(0.2 * gaussian(rng)), 0.55, 1), pa = uniform(rng, 0, 180);
        double gr = 0.75 + 1.0 * z + 0.04 * gaussian(rng), rz = 0.62 + 0.8 * z + 0.04 * gaussian(rng);
        double cx = o.centreX(), cy = o.centreY();
        double n = uniform(rng, 3.5, 5);

        double gamma = uniform(rng, 0, 0.12);
        double shearAngle = rng.nextDouble() < 0.6 ? 90 - pa + 20 * gaussian(rng) : uniform(rng, 0, 180);  // x-axis angle
        double s = StrictMath.toRadians(2 * shearAngle);
        GravitationalLens lens = new GravitationalLens(cx, cy, einstein, gamma * StrictMath.cos(s), gamma * StrictMath.sin(s));
        double offset = einstein * uniform(rng, 0.02, 0.5), at = uniform(rng, 0, 2 * Math.PI);
        double sourceMag = uniform(rng, 20.8, 22.5);
        Scene.Component source = new Scene.Component(cx + offset * StrictMath.cos(at), cy + offset * StrictMath.sin(at), 1,
                Math.max(0.4, uniform(rng, 0.1, 0.35) / pixelScale), uniform(rng, 0.5, 1), uniform(rng, 0, 180),
                bandFluxes(flux(sourceMag), uniform(rng, 0.1, 0.45), uniform(rng, 0.0, 0.35)));
        double magnification = lens.image(source, (x, y, v) -> { });
        // The lens takes what the arcs leave of the system's flux (at least half of it).
        double f = Math.max(total - source.flux()[1] * magnification, 0.5 * total);
        Scene.Component lensLight = new Scene.Component(cx, cy, n, re, q, pa, bandFluxes(f, gr, rz));
        Scene.Component none = new Scene.Component(cx, cy, 1, 1.3 * re, q, pa, new double[3]);
        String details = String.format(Locale.ROOT,
                "einstein=%.2f offset=%.2f source_r=%.2f mu=%.1f shear=%.3f",
                einstein * pixelScale, offset * pixelScale, sourceMag, magnification, gamma);
        return novelScene(o, Morphology.ELLIPTICAL, z, cx, cy, pa, GalaxyPopulation.inclinationOf(q), lensLight, none,
                new Scene.Novel(NovelKind.LENSED_ARC, List.of(), List.of(), List.of(),
                        new Scene.LensedSource(lens, source, magnification), details));
    }

    /** A novel system's total r magnitude: the ordinary number counts, from r = 16 down to FAINTEST. */
    private static double systemMagnitude(SplittableRandom rng) {
        return GalaxyPopulation.countsMagnitude(rng, GalaxyPopulation.R_MAG_BRIGHT, FAINTEST);
    }

    /** The ordinary scene's observing conditions and neighbours around a novel object. */
    private static Scene novelScene(Scene o, Morphology morphology, double z, double cx, double cy, double pa, double incl,
                                    Scene.Component bulge, Scene.Component disc, Scene.Novel novel) {
        return new Scene(morphology, z, cx, cy, pa, incl, bulge, disc, null,
                o.psfFwhmPx(), o.noiseSigma(), o.skyLevel(), o.backgroundGalaxies(), o.stars(), novel);
    }
}
