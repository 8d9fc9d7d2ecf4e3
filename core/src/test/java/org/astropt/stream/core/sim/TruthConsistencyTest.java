package org.astropt.stream.core.sim;

import static org.astropt.stream.core.sim.Photometry.apertureFlux;
import static org.astropt.stream.core.sim.Photometry.nanomaggies;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

/** The truth written for each galaxy agrees with what its pixels show, measured as an observer would. */
class TruthConsistencyTest {

    private static final double PX = SyntheticSurvey.PIXEL_SCALE;
    /** Clean cutouts (no artefacts) so only the galaxy, its neighbours and noise are in the pixels. */
    private static final SyntheticSurvey CLEAN = new SyntheticSurvey(2024, 64, 4000, 0, EnumSet.allOf(ArtefactKind.class));

    /** Isolated galaxies (no stars, no field galaxies) matching the predicate, from the clean survey. */
    private static List<SyntheticGalaxy> isolated(int wanted, Predicate<GalaxyTruth> p) {
        List<SyntheticGalaxy> out = new ArrayList<>();
        for (long i = 0; out.size() < wanted && i < 4000; i++) {
            GalaxyTruth t = CLEAN.truth(i);
            if (t.neighbourStars() == 0 && t.backgroundGalaxies() == 0 && p.test(t)) out.add(CLEAN.galaxy(i));
        }
        assertEquals(wanted, out.size(), "not enough galaxies matched in 4000");
        return out;
    }

    @Test
    void totalFluxInTheCutoutMatchesTheTruthMagnitudeWithinNoise() {
        // Compact enough that the truncated profiles (8 r_e bulge, 6.7 h disc) end inside the cutout.
        List<SyntheticGalaxy> sample = isolated(12, t -> t.magnitude().r() < 19.5
                && 8 * t.bulgeHalfLightArcsec() / PX < 26 && 6.7 * t.discScaleLengthArcsec() / PX < 26);
        for (SyntheticGalaxy g : sample) {
            GalaxyTruth t = g.truth();
            for (int b = 0; b < 3; b++) {
                float[][] band = g.image().pixels()[b];
                double measured = apertureFlux(band, 0, 0, 0);
                double expected = nanomaggies(t.magnitude().get(b));
                double noise = t.skyNoise().get(b) * 64;              // sqrt(4096 pixels) times sigma
                // 5 sigma of sky noise, plus 2.5 % for PSF wings beyond the cutout and the source's shot noise.
                double tolerance = 5 * noise + 0.025 * expected;
                assertEquals(expected, measured, tolerance, t.id() + " band " + b);
            }
        }
    }

    @Test
    void redEllipticalsMeasureRedderThanBlueDiscs() {
        List<SyntheticGalaxy> red = isolated(5, t -> t.morphology() == Morphology.ELLIPTICAL && t.magnitude().r() < 19.5);
        List<SyntheticGalaxy> blue = isolated(5, t -> t.morphology() == Morphology.SPIRAL && t.bulgeToTotal() < 0.2
                && t.magnitude().r() < 19.5);
        double reddestDisc = Double.NEGATIVE_INFINITY, bluestElliptical = Double.POSITIVE_INFINITY;
        for (SyntheticGalaxy g : red) bluestElliptical = Math.min(bluestElliptical, apertureColourGR(g));
        for (SyntheticGalaxy g : blue) reddestDisc = Math.max(reddestDisc, apertureColourGR(g));
        assertTrue(bluestElliptical > reddestDisc + 0.1,
                "ellipticals g-r >= " + bluestElliptical + " vs discs <= " + reddestDisc);
        for (SyntheticGalaxy g : red) {
            // Bulge-dominated: the central colour is the total colour within photometric noise.
            assertEquals(g.truth().colourGR(), apertureColourGR(g), 0.12, g.id());
        }
    }

    @Test
    void lightCentroidSitsOnTheTruthCentreNearTheCutoutCentre() {
        for (SyntheticGalaxy g : isolated(10, t -> t.magnitude().r() < 20)) {
            GalaxyTruth t = g.truth();
            double[] c = Photometry.centroid(g.image().pixels()[1], t.centreX(), t.centreY(), 12);
            assertEquals(t.centreX(), c[0], 0.5, t.id() + " x");
            assertEquals(t.centreY(), c[1], 0.5, t.id() + " y");
            assertEquals(31.5, t.centreX(), 0.5 + 1e-9);
            assertEquals(31.5, t.centreY(), 0.5 + 1e-9);
        }
    }

    @Test
    void positionAngleFromSecondMomentsMatchesTruthForInclinedDiscs() {
        List<SyntheticGalaxy> discs = isolated(8, t -> t.morphology() != Morphology.ELLIPTICAL
                && t.axisRatio() < 0.5 && t.magnitude().r() < 19);
        for (SyntheticGalaxy g : discs) {
            GalaxyTruth t = g.truth();
            double pa = Photometry.positionAngle(g.image().pixels()[1], t.centreX(), t.centreY(), 20);
            double diff = Math.abs(pa - t.positionAngleDeg()) % 180;
            diff = Math.min(diff, 180 - diff);
            assertTrue(diff < 6, t.id() + ": measured PA " + pa + " vs truth " + t.positionAngleDeg());
        }
    }

    @Test
    void skyNoiseInThePixelsIsTheNoiseTheTruthStates() {
        for (SyntheticGalaxy g : isolated(10, t -> t.magnitude().r() > 20)) {
            for (int b = 0; b < 3; b++) {
                double measured = Photometry.differenceSigma(g.image().pixels()[b]);
                assertEquals(g.truth().skyNoise().get(b), measured, 0.1 * g.truth().skyNoise().get(b), g.id() + " band " + b);
            }
        }
    }

    @Test
    void noiseMatchesDecalsDepths() {
        // DR9 median 5-sigma point-source depths g 24.7, r 24.2, z 23.3 give per-pixel sigmas of a few
        // thousandths of a nanomaggy in g and r and about a hundredth in z.
        List<GalaxyTruth> t = LongStream.range(0, 200).mapToObj(CLEAN::truth).toList();
        double g = Photometry.median(t.stream().mapToDouble(x -> x.skyNoise().g()).toArray());
        double r = Photometry.median(t.stream().mapToDouble(x -> x.skyNoise().r()).toArray());
        double z = Photometry.median(t.stream().mapToDouble(x -> x.skyNoise().z()).toArray());
        assertTrue(g > 0.002 && g < 0.006, "g sigma " + g);
        assertTrue(r > 0.003 && r < 0.008, "r sigma " + r);
        assertTrue(z > 0.006 && z < 0.02, "z sigma " + z);
        assertTrue(g < r && r < z, "z is the noisiest band, g the cleanest");
    }

    /** g - r within 2 FWHM of the centre. */
    private static double apertureColourGR(SyntheticGalaxy g) {
        GalaxyTruth t = g.truth();
        double radius = 2 * t.psfFwhmArcsec().r() / PX;
        double fg = apertureFlux(g.image().pixels()[0], t.centreX(), t.centreY(), radius);
        double fr = apertureFlux(g.image().pixels()[1], t.centreX(), t.centreY(), radius);
        return -2.5 * Math.log10(fg / fr);
    }
}
