package org.astropt.stream.core.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.astropt.stream.core.sim.SyntheticSurveyTest.assertPixelsIdentical;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import nom.tam.fits.Fits;
import nom.tam.fits.Header;

import org.astropt.stream.core.InvalidCutoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The novel population (mergers, rings, lensed arcs): drawn only when asked, reproducible, leaving every
 * ordinary galaxy as it was, and each kind showing what makes it that kind.
 */
class NovelObjectsTest {

    private static final int SIZE = 64;
    private static final double SCALE = SyntheticSurvey.PIXEL_SCALE;

    /**
     * SHA-256 of galaxies 0..23 of {@code new SyntheticSurvey(7, 64, 24)}, pixels and the truth.csv columns
     * up to artefact_details, computed on main before novel objects existed (commit dc852d6): the starter
     * model's training data and every pinned galaxy stay what they were.
     */
    private static final String BEFORE_NOVEL_64 = "523be609a22c0bf19c5e8e54ce8f285f475914715e8b023e777655e27054b24a";
    /** The same for {@code new SyntheticSurvey(7, 32, 24)}. */
    private static final String BEFORE_NOVEL_32 = "356cd62841a526bb81a299b2d4b074ac5f3fb38a3958756d59a00faf505563a9";

    @Test
    void withoutNovelObjectsEveryGalaxyIsBitIdenticalToBefore() throws Exception {
        assertEquals(BEFORE_NOVEL_64, checksum(new SyntheticSurvey(7, 64, 24)));
        assertEquals(BEFORE_NOVEL_32, checksum(new SyntheticSurvey(7, 32, 24)));
        assertEquals(BEFORE_NOVEL_64, checksum(new SyntheticSurvey(7, 64, 24).withNovelFraction(0)));
        assertEquals(0, new SyntheticSurvey(7, 64, 24).novelFraction());
    }

    @Test
    void novelObjectsReplaceSomeGalaxiesAndLeaveTheOthersAsTheyWere() {
        SyntheticSurvey plain = new SyntheticSurvey(21, 64, 40);
        SyntheticSurvey mixed = plain.withNovelFraction(0.4);
        int novel = 0;
        for (int i = 0; i < 40; i++) {
            SyntheticGalaxy a = plain.galaxy(i), b = mixed.galaxy(i);
            assertEquals(a.truth().artefacts(), b.truth().artefacts(), "artefacts stay with the cutout");
            if (b.truth().isNovel()) {
                novel++;
                assertEquals(b.truth().novel().name(), b.image().metadata().get("novel"));
                assertEquals(a.truth().psfFwhmArcsec(), b.truth().psfFwhmArcsec(), "same observing conditions");
            } else {
                assertPixelsIdentical(a.image(), b.image());
                assertEquals(a.truth(), b.truth());
                assertNull(b.image().metadata().get("novel"));
            }
        }
        assertTrue(novel >= 8 && novel <= 26, novel + " of 40 novel at fraction 0.4");
    }

    @Test
    void novelGalaxiesAreAPureFunctionOfSeedAndIndex() {
        SyntheticSurvey survey = new SyntheticSurvey(5, 64, 30).withNovelFraction(0.5);
        for (int i = 0; i < 30; i++) {
            SyntheticGalaxy a = survey.galaxy(i);
            SyntheticGalaxy b = new SyntheticSurvey(5, 64, 1_000).withNovelFraction(0.5).galaxy(i);
            assertPixelsIdentical(a.image(), b.image());
            assertEquals(a.truth(), b.truth());
            assertEquals(a.truth(), survey.truth(i), "truth without rendering");
        }
        // A galaxy novel at one fraction is the same novel object at any higher one.
        SyntheticSurvey more = survey.withNovelFraction(0.9);
        for (int i = 0; i < 30; i++) {
            if (survey.truth(i).isNovel()) assertEquals(survey.truth(i), more.truth(i));
        }
    }

    @Test
    void theKindsAreDrawnAboutEquallyOften() {
        SyntheticSurvey survey = new SyntheticSurvey(8, 64, 600).withNovelFraction(0.5);
        Map<NovelKind, Integer> counts = new EnumMap<>(NovelKind.class);
        int ordinary = 0;
        for (long i = 0; i < 600; i++) {
            GalaxyTruth t = survey.truth(i);
            if (t.isNovel()) counts.merge(t.novel(), 1, Integer::sum);
            else ordinary++;
        }
        assertTrue(ordinary > 250 && ordinary < 350, ordinary + " ordinary of 600");
        for (NovelKind k : NovelKind.values()) {
            int n = counts.getOrDefault(k, 0);
            assertTrue(n > 70 && n < 130, n + " " + k + " of about 100");
        }
    }

    @Test
    void rejectsAFractionOutsideZeroToOne() {
        SyntheticSurvey survey = new SyntheticSurvey(1, 64, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> survey.withNovelFraction(1.5));
        assertTrue(e.getMessage().contains("novel fraction 1.5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> survey.withNovelFraction(Double.NaN));
    }

    /** Tidal tails put light where neither disc does: beyond 2.5 half-light radii of both galaxies. */
    @Test
    void mergersHaveTidalLightBeyondBothDiscs() {
        for (Scene merger : scenes(NovelKind.MERGER, 12)) {
            Scene.Component partner = merger.novel().galaxies().get(1);
            Scene withoutTails = withNovel(merger, new Scene.Novel(NovelKind.MERGER, merger.novel().galaxies(),
                    List.of(), List.of(), null, ""));
            double with = outside(model(merger)[1], merger.disc(), partner);
            double without = outside(model(withoutTails)[1], merger.disc(), partner);
            assertTrue(with > 1.5 * without, merger.novel().details() + ": " + with + " beyond the discs, " + without + " without tails");
        }
    }

    /**
     * A ring galaxy's light along the ring's own ellipse, in steps of a tenth of its radius, dips inside the
     * ring (beyond the nucleus), rises to a peak on the ring and falls beyond it.
     */
    @Test
    void ringsRiseFromADipInsideToAPeakOnTheRingAndFallBeyond() {
        for (Scene ring : scenes(NovelKind.RING, 12)) {
            double radius = number(ring.novel().details(), "radius") / SCALE;
            Scene alone = withNovel(ring, new Scene.Novel(NovelKind.RING, List.of(), ring.novel().clumps(),
                    ring.novel().knots(), null, ""));                       // without the intruder
            double[][] g = model(alone)[0];
            double[] profile = new double[18];                              // 0.1 R steps from 0.2 R to 2.0 R
            int peak = 4;
            for (int i = 0; i < profile.length; i++) {
                profile[i] = annulusMedian(g, ring, (0.2 + 0.1 * i) * radius, (0.3 + 0.1 * i) * radius);
                if (i >= 4 && profile[i] > profile[peak]) peak = i;
            }
            double dip = Double.MAX_VALUE;
            for (int i = 0; i < peak; i++) dip = Math.min(dip, profile[i]);
            double beyond = profile[profile.length - 1];
            double peakAt = 0.25 + 0.1 * peak;
            String what = ring.novel().details() + ": peak " + profile[peak] + " at " + peakAt + " R, dip " + dip + ", at 2 R " + beyond;
            assertTrue(peakAt > 0.7 && peakAt < 1.3, what);
            assertTrue(profile[peak] > 1.15 * dip, what);
            assertTrue(profile[peak] > 3 * beyond, what);
        }
    }

    /** A lensed source's light lies at the Einstein radius, stretched along it (tangentially), bluer than the lens. */
    @Test
    void lensedArcsLieTangentiallyAtTheEinsteinRadius() {
        for (Scene lens : scenes(NovelKind.LENSED_ARC, 12)) {
            Scene.LensedSource lensed = lens.novel().lensed();
            double einstein = lensed.lens().einsteinPx();
            double[][][] arcs = difference(model(lens), model(withNovel(lens, new Scene.Novel(NovelKind.LENSED_ARC,
                    List.of(), List.of(), List.of(), null, ""))));
            double sw = 0, sr = 0, srr = 0, sc = 0, ss = 0, sg = 0, sz = 0;
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    double w = arcs[1][y][x];
                    if (w <= 0) continue;
                    double dx = x - lensed.lens().x(), dy = y - lensed.lens().y(), r = Math.hypot(dx, dy);
                    sw += w;
                    sr += w * r;
                    srr += w * r * r;
                    sc += w * dx / Math.max(r, 1e-9);
                    ss += w * dy / Math.max(r, 1e-9);
                    sg += arcs[0][y][x];
                    sz += arcs[2][y][x];
                }
            }
            double meanR = sr / sw, radialSpread = Math.sqrt(srr / sw - meanR * meanR);
            double angularSpread = Math.sqrt(-2 * Math.log(Math.hypot(sc, ss) / sw));   // circular standard deviation
            double arcGR = -2.5 * Math.log10(sg / sw), lensGR = -2.5 * Math.log10(lens.bulge().flux()[0] / lens.bulge().flux()[1]);
            assertTrue(meanR > 0.75 * einstein && meanR < 1.4 * einstein, lens.novel().details() + ": light at " + meanR * SCALE + "\"");
            assertTrue(meanR * angularSpread > 1.5 * radialSpread, lens.novel().details() + ": tangential "
                    + meanR * angularSpread + " px, radial " + radialSpread + " px");
            assertTrue(arcGR < lensGR - 0.3, lens.novel().details() + ": arcs g-r " + arcGR + ", lens " + lensGR);
        }
    }

    @Test
    void truthTravelsThroughTruthCsvFitsCardsAndFeedMetadata(@TempDir Path dir) throws Exception {
        SyntheticSurvey survey = new SyntheticSurvey(17, 32, 12).withNovelFraction(0.6);
        List<SyntheticGalaxy> galaxies = survey.galaxies();
        assertTrue(galaxies.stream().anyMatch(g -> g.truth().isNovel()) && galaxies.stream().anyMatch(g -> !g.truth().isNovel()));
        new SurveyWriter(dir).write(galaxies.stream());
        List<Map<String, String>> rows = TruthCatalogue.read(dir.resolve("truth.csv"));
        for (int i = 0; i < galaxies.size(); i++) {
            GalaxyTruth t = galaxies.get(i).truth();
            assertEquals(t.isNovel() ? t.novel().name() : "", rows.get(i).get("novel"));
            assertEquals(t.novelDetails(), rows.get(i).get("novel_details"));
            if (t.isNovel()) assertTrue(t.novelDetails().matches("([a-z_]+=[0-9a-z.]+ ?)+") && t.novelDetails().length() <= 68, t.novelDetails());
            assertEquals(rows.get(i), TruthCatalogue.cells(t), "what the demo feed sends as truth.<column>");
            try (Fits fits = new Fits(dir.resolve("fits").resolve(t.id() + ".fits").toFile())) {
                Header h = fits.getHDU(0).getHeader();
                assertEquals(t.novelLabel(), h.getStringValue("NOVEL").trim());
                if (t.isNovel()) assertEquals(t.novelDetails(), h.getStringValue("NOVELDET"));
                else assertNull(h.getStringValue("NOVELDET"));
            }
        }
    }

    @Test
    void aTruthCsvFromBeforeNovelObjectsReadsAsOrdinaryGalaxies(@TempDir Path dir) throws Exception {
        GalaxyTruth t = new SyntheticSurvey(3, 32, 1).truth(0);
        int old = TruthCatalogue.COLUMNS.indexOf("artefact_details") + 1;
        String header = String.join(",", TruthCatalogue.COLUMNS.subList(0, old));
        String row = String.join(",", Arrays.copyOf(TruthCatalogue.row(t).split(",", -1), old));
        Files.writeString(dir.resolve("truth.csv"), header + "\n" + row + "\n");
        Map<String, String> read = TruthCatalogue.read(dir.resolve("truth.csv")).get(0);
        assertEquals(t.id(), read.get("id"));
        assertEquals("", read.get("novel"));
        Files.writeString(dir.resolve("bad.csv"), "id,seed\n");
        assertThrows(InvalidCutoutException.class, () -> TruthCatalogue.read(dir.resolve("bad.csv")));
    }

    // ---- helpers ----

    static String checksum(SyntheticSurvey survey) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < survey.count(); i++) {
            SyntheticGalaxy g = survey.galaxy(i);
            for (float[][] band : g.image().pixels()) {
                for (float[] row : band) {
                    for (float v : row) {
                        int bits = Float.floatToRawIntBits(v);
                        sha.update(new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits});
                    }
                }
            }
            String[] cells = TruthCatalogue.row(g.truth()).split(",", -1);
            int upTo = TruthCatalogue.COLUMNS.indexOf("artefact_details") + 1;
            sha.update(String.join(",", Arrays.copyOf(cells, upTo)).getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** count scenes of one kind, drawn as the survey draws them, without neighbouring stars and field galaxies. */
    private static List<Scene> scenes(NovelKind kind, int count) {
        GalaxyPopulation population = new GalaxyPopulation(SCALE);
        NovelPopulation novel = new NovelPopulation(SCALE);
        List<Scene> out = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            Scene o = population.sample(Deviates.stream(99, i, Deviates.Purpose.SCENE), SIZE);
            Scene s = novel.sample(kind, o, Deviates.stream(99, i, Deviates.Purpose.NOVEL), SIZE);
            out.add(new Scene(s.morphology(), s.redshift(), s.centreX(), s.centreY(), s.positionAngleDeg(), s.inclinationDeg(),
                    s.bulge(), s.disc(), s.arms(), s.psfFwhmPx(), s.noiseSigma(), s.skyLevel(), List.of(), List.of(), s.novel()));
        }
        return out;
    }

    private static Scene withNovel(Scene s, Scene.Novel novel) {
        return new Scene(s.morphology(), s.redshift(), s.centreX(), s.centreY(), s.positionAngleDeg(), s.inclinationDeg(),
                s.bulge(), s.disc(), s.arms(), s.psfFwhmPx(), s.noiseSigma(), s.skyLevel(), s.backgroundGalaxies(), s.stars(), novel);
    }

    private static double[][][] model(Scene s) {
        return new SceneRenderer(SIZE).model(s);
    }

    private static double[][][] difference(double[][][] a, double[][][] b) {
        double[][][] d = new double[3][SIZE][SIZE];
        for (int k = 0; k < 3; k++) for (int y = 0; y < SIZE; y++) for (int x = 0; x < SIZE; x++) d[k][y][x] = a[k][y][x] - b[k][y][x];
        return d;
    }

    /** Light farther than 2.5 half-light radii from the centres of both discs. */
    private static double outside(double[][] band, Scene.Component a, Scene.Component b) {
        double sum = 0;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                if (Math.hypot(x - a.x(), y - a.y()) > 2.5 * a.halfLightPx() && Math.hypot(x - b.x(), y - b.y()) > 2.5 * b.halfLightPx()) {
                    sum += band[y][x];
                }
            }
        }
        return sum;
    }

    /** Median of the pixels whose radius along the ring's ellipse (its centre, axis ratio and angle) is within [r0, r1). */
    private static double annulusMedian(double[][] band, Scene ring, double r0, double r1) {
        double pa = Math.toRadians(ring.positionAngleDeg()), q = ring.disc().axisRatio();
        double ux = -Math.sin(pa), uy = -Math.cos(pa), vx = -uy, vy = ux;
        List<Double> values = new ArrayList<>();
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                double dx = x - ring.centreX(), dy = y - ring.centreY();
                double a = dx * ux + dy * uy, b = (dx * vx + dy * vy) / q, r = Math.hypot(a, b);
                if (r >= r0 && r < r1) values.add(band[y][x]);
            }
        }
        assertFalse(values.isEmpty(), "annulus " + r0 + " to " + r1 + " px inside the cutout");
        values.sort(null);
        return values.get(values.size() / 2);
    }

    /** The number after "name=" in a novel object's details. */
    private static double number(String details, String name) {
        for (String part : details.split(" ")) if (part.startsWith(name + "=")) return Double.parseDouble(part.substring(name.length() + 1));
        throw new AssertionError(name + " not in " + details);
    }

}
