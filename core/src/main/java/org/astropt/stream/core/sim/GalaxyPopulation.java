package org.astropt.stream.core.sim;

import static org.astropt.stream.core.sim.Deviates.flux;
import static org.astropt.stream.core.sim.Deviates.gaussian;
import static org.astropt.stream.core.sim.Deviates.uniform;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws the galaxies, neighbours and observing conditions of a DECaLS-like grz survey (DESI Legacy
 * Imaging Surveys DR9 coadds: 0.262 arcsec pixels, nanomaggies, sky subtracted).
 *
 * <p>The numbers are round figures for DR9: median 5-sigma point-source depths g 24.7, r 24.2, z 23.3;
 * r-band seeing 1.0 to 1.6 arcsec, g about 10 % worse and z about 6 % better; red-sequence bulges (g - r
 * near 0.75, r - z near 0.65 at low redshift) and blue star-forming discs (g - r near 0.45, r - z near
 * 0.4), both reddening with redshift.
 */
final class GalaxyPopulation {

    /** Faintest and brightest total r magnitude drawn; counts rise 10^(0.3 m) so most are near 21. */
    static final double R_MAG_BRIGHT = 16, R_MAG_FAINT = 21, COUNT_SLOPE = 0.3;
    /** Intrinsic thickness of discs (minor over major axis seen edge-on). */
    static final double DISC_THICKNESS = 0.12;
    /** Median 5-sigma PSF depths (AB) of DR9 in g, r, z. */
    private static final double[] PSF_DEPTH = {24.7, 24.2, 23.3};
    /** Dark-sky surface brightness (AB mag per arcsec^2) in g, r, z; sets the sky's shot noise share. */
    private static final double[] SKY_BRIGHTNESS = {22.0, 21.0, 19.8};
    /** Seeing in g and z relative to r: shorter wavelengths blur more. */
    private static final double[] SEEING_RATIO = {1.10, 1.0, 0.94};
    /** Neighbours per 64 x 64 cutout (scaled by area): stars at mid latitude, faint field galaxies. */
    private static final double STARS_PER_64 = 0.7, FIELD_GALAXIES_PER_64 = 1.5;

    private final double pixelScale;

    GalaxyPopulation(double pixelScale) {
        this.pixelScale = pixelScale;
    }

    Scene sample(SplittableRandom rng, int size) {
        Morphology morph = Morphology.values()[Deviates.choose(rng, 0.28, 0.15, 0.57)];
        double rMag = countsMagnitude(rng, R_MAG_BRIGHT, R_MAG_FAINT);
        double z = clamp(0.025 * StrictMath.pow(10, 0.2 * (rMag - R_MAG_BRIGHT)) * StrictMath.exp(0.25 * gaussian(rng)), 0.005, 0.6);
        // Angular size shrinks with magnitude; ellipticals are more compact at fixed brightness.
        double size0 = 2.6 * StrictMath.pow(10, -0.11 * (rMag - R_MAG_BRIGHT) + 0.13 * gaussian(rng));
        double sizeArcsec = clamp(size0 * (morph == Morphology.ELLIPTICAL ? 0.75 : 1.0), 0.5, 3.0);
        double pa = uniform(rng, 0, 180);
        double cx = size / 2.0 - 0.5 + uniform(rng, -0.5, 0.5);
        double cy = size / 2.0 - 0.5 + uniform(rng, -0.5, 0.5);

        double n, bt, bulgeRe, discRe, qDisc, qBulge, incl;
        switch (morph) {
            case ELLIPTICAL -> {
                n = uniform(rng, 3, 6);
                bt = uniform(rng, 0.85, 1.0);
                bulgeRe = sizeArcsec;
                discRe = 1.3 * sizeArcsec;
                qBulge = clamp(1 - Math.abs(0.25 * gaussian(rng)), 0.45, 1);
                qDisc = qBulge;
                incl = inclinationOf(qBulge);
            }
            case LENTICULAR -> {
                n = uniform(rng, 2, 4);
                bt = uniform(rng, 0.35, 0.7);
                discRe = sizeArcsec;
                bulgeRe = Math.max(0.3, uniform(rng, 0.25, 0.5) * sizeArcsec);
                incl = StrictMath.toDegrees(StrictMath.acos(rng.nextDouble()));
                qDisc = axisRatioOf(incl);
                qBulge = 1 - (1 - qDisc) * uniform(rng, 0.2, 0.5);
            }
            default -> {
                n = uniform(rng, 1, 2.5);
                bt = rng.nextDouble() < 0.25 ? uniform(rng, 0, 0.05) : uniform(rng, 0.05, 0.4);
                discRe = sizeArcsec * 1.1;
                bulgeRe = Math.max(0.25, uniform(rng, 0.15, 0.4) * discRe);
                incl = StrictMath.toDegrees(StrictMath.acos(rng.nextDouble()));
                qDisc = axisRatioOf(incl);
                qBulge = 1 - (1 - qDisc) * uniform(rng, 0.2, 0.5);
            }
        }

        // Colours: red bulge, bluer disc, bluest arms (young stars), all redder with z.
        double bulgeGR = 0.75 + 1.0 * z + 0.04 * gaussian(rng), bulgeRZ = 0.62 + 0.8 * z + 0.04 * gaussian(rng);
        double discGR, discRZ;
        if (morph == Morphology.SPIRAL) {
            discGR = 0.45 + 0.6 * z + 0.07 * gaussian(rng);
            discRZ = 0.38 + 0.5 * z + 0.05 * gaussian(rng);
        } else {
            discGR = bulgeGR - uniform(rng, 0.03, 0.12);
            discRZ = bulgeRZ - uniform(rng, 0.02, 0.08);
        }
        double rTotal = flux(rMag);
        double rBulge = bt * rTotal, rDisc = (1 - bt) * rTotal;

        Scene.Spiral arms = null;
        if (morph == Morphology.SPIRAL && rng.nextDouble() < 0.75) {
            arms = arms(rng, cx, cy, pa, discRe / pixelScale, qDisc, rDisc, discGR, discRZ);
            rDisc -= arms.totalFlux(1);
        }
        Scene.Component bulge = new Scene.Component(cx, cy, n, bulgeRe / pixelScale, qBulge, pa,
                bandFluxes(rBulge, bulgeGR, bulgeRZ));
        Scene.Component disc = new Scene.Component(cx, cy, 1, discRe / pixelScale, qDisc, pa,
                bandFluxes(rDisc, discGR, discRZ));

        // Observing conditions: seeing, then depth, from which the per-pixel noise follows.
        double seeingR = 1.0 + 0.6 * 0.5 * (rng.nextDouble() + rng.nextDouble());
        double depthOffset = 0.2 * gaussian(rng);
        double[] fwhm = new double[3], sigma = new double[3], sky = new double[3];
        for (int b = 0; b < 3; b++) {
            fwhm[b] = seeingR * SEEING_RATIO[b] / pixelScale;
            double depth = PSF_DEPTH[b] + depthOffset + 0.08 * gaussian(rng);
            double nea = new MoffatPsf(fwhm[b]).noiseEquivalentArea();
            sigma[b] = flux(depth) / 5 / Math.sqrt(nea);
            sky[b] = flux(SKY_BRIGHTNESS[b] + 0.2 * gaussian(rng)) * pixelScale * pixelScale;
        }

        double areaScale = (size / 64.0) * (size / 64.0);
        List<Scene.PointSource> stars = new ArrayList<>();
        int starCount = Deviates.poisson(rng, STARS_PER_64 * areaScale);
        for (int i = 0; i < starCount; i++) {
            double[] xy = awayFromCentre(rng, size, cx, cy, 8);
            double mag = switch (Deviates.choose(rng, 0.06, 0.24, 0.70)) {
                case 0 -> uniform(rng, 14.5, 16);
                case 1 -> uniform(rng, 16, 19);
                default -> uniform(rng, 19, 23);
            };
            double gr = uniform(rng, 0.25, 1.5);
            double rz = 0.05 + 0.75 * gr + 0.08 * gaussian(rng);
            stars.add(new Scene.PointSource(xy[0], xy[1], bandFluxes(flux(mag), gr, rz)));
        }
        List<Scene.Component> field = new ArrayList<>();
        int fieldCount = Deviates.poisson(rng, FIELD_GALAXIES_PER_64 * areaScale);
        for (int i = 0; i < fieldCount; i++) {
            double[] xy = awayFromCentre(rng, size, cx, cy, 6);
            double mag = uniform(rng, 21, 24);
            double fn = rng.nextDouble() < 0.7 ? 1 : 2.5;
            field.add(new Scene.Component(xy[0], xy[1], fn, uniform(rng, 0.3, 1.0) / pixelScale,
                    uniform(rng, 0.3, 1), uniform(rng, 0, 180),
                    bandFluxes(flux(mag), uniform(rng, 0.3, 1.5), uniform(rng, 0.3, 1.2))));
        }
        return new Scene(morph, z, cx, cy, pa, incl, bulge, disc, arms, fwhm, sigma, sky, field, stars);
    }

    /**
     * Two to four logarithmic arms carrying 25 to 50 % of the disc's r flux, a tenth to a quarter of that in
     * 4 to 15 blue star-forming knots placed on the arm crests (projected like the disc).
     */
    private static Scene.Spiral arms(SplittableRandom rng, double cx, double cy, double pa, double discRePx,
                                     double q, double discR, double discGR, double discRZ) {
        int count = 2 + Deviates.choose(rng, 0.6, 0.25, 0.15);
        double pitch = uniform(rng, 10, 35);
        double phase = uniform(rng, 0, 2 * Math.PI);
        int chirality = rng.nextBoolean() ? 1 : -1;
        double h = discRePx / RadialProfile.sersicB(1);
        double rArms = uniform(rng, 0.25, 0.5) * discR;
        double knotShare = uniform(rng, 0.1, 0.25);
        int knotCount = 4 + rng.nextInt(12);
        double[] weights = new double[knotCount];
        double weightSum = 0;
        for (int i = 0; i < knotCount; i++) weightSum += weights[i] = uniform(rng, 0.5, 1.5);
        double tanPitch = StrictMath.tan(StrictMath.toRadians(pitch));
        double rad = StrictMath.toRadians(pa);
        double ux = -StrictMath.sin(rad), uy = -StrictMath.cos(rad), vx = -uy, vy = ux;   // as SceneRenderer
        List<Scene.PointSource> knots = new ArrayList<>();
        for (int i = 0; i < knotCount; i++) {
            double r = h * uniform(rng, 1.0, 3.5);
            double psi = phase + chirality * StrictMath.log(r / h) / tanPitch;
            double theta = (psi + 2 * Math.PI * rng.nextInt(count)) / count + 0.08 * gaussian(rng);
            double a = r * StrictMath.cos(theta), b = q * r * StrictMath.sin(theta);
            knots.add(new Scene.PointSource(cx + a * ux + b * vx, cy + a * uy + b * vy,
                    bandFluxes(rArms * knotShare * weights[i] / weightSum, discGR - 0.30, discRZ - 0.20)));
        }
        return new Scene.Spiral(count, pitch, phase, chirality, uniform(rng, 1.0, 2.0) * h,
                bandFluxes(rArms * (1 - knotShare), discGR - 0.15, discRZ - 0.10), knots);
    }

    /** r magnitude drawn from counts rising as 10^(0.3 m) between a bright and a faint limit. */
    static double countsMagnitude(SplittableRandom rng, double bright, double faint) {
        double lo = StrictMath.pow(10, COUNT_SLOPE * bright), hi = StrictMath.pow(10, COUNT_SLOPE * faint);
        return StrictMath.log10(lo + rng.nextDouble() * (hi - lo)) / COUNT_SLOPE;
    }

    /** Apparent axis ratio of a disc of intrinsic thickness DISC_THICKNESS seen at this inclination. */
    static double axisRatioOf(double inclinationDeg) {
        double c = StrictMath.cos(StrictMath.toRadians(inclinationDeg));
        return Math.sqrt(c * c * (1 - DISC_THICKNESS * DISC_THICKNESS) + DISC_THICKNESS * DISC_THICKNESS);
    }

    /** Inverse of axisRatioOf: the inclination that gives axis ratio q. */
    static double inclinationOf(double q) {
        double t = DISC_THICKNESS * DISC_THICKNESS;
        double c2 = clamp((q * q - t) / (1 - t), 0, 1);
        return StrictMath.toDegrees(StrictMath.acos(Math.sqrt(c2)));
    }

    /** g, r, z fluxes of a component with r flux fluxR and colours g - r, r - z. */
    static double[] bandFluxes(double fluxR, double gr, double rz) {
        return new double[] {fluxR * StrictMath.pow(10, -0.4 * gr), fluxR, fluxR * StrictMath.pow(10, 0.4 * rz)};
    }

    /** A position in or just beyond the cutout at least minDist pixels from the galaxy centre. */
    private static double[] awayFromCentre(SplittableRandom rng, int size, double cx, double cy, double minDist) {
        double x, y;
        int tries = 0;
        do {
            x = uniform(rng, -4, size + 4);
            y = uniform(rng, -4, size + 4);
        } while ((x - cx) * (x - cx) + (y - cy) * (y - cy) < minDist * minDist && ++tries < 20);
        return new double[] {x, y};
    }

    static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
