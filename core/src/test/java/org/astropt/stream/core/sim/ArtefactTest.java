package org.astropt.stream.core.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Each artefact kind leaves its signature exactly where its label says: every cutout is compared with
 * the same galaxy drawn without artefacts (same seed, so same galaxy and noise).
 */
class ArtefactTest {

    private static final int N = 25;
    private static final SyntheticSurvey CLEAN = new SyntheticSurvey(77, 64, N, 0, EnumSet.allOf(ArtefactKind.class));
    private static final List<String> BANDS = List.of("g", "r", "z");

    private static SyntheticSurvey only(ArtefactKind kind) {
        return CLEAN.withArtefacts(1, EnumSet.of(kind));
    }

    @Test
    void badColumnSitsInItsColumnWithAMedianFarFromItsNeighbours() {
        SyntheticSurvey bad = only(ArtefactKind.BAD_COLUMN);
        for (int i = 0; i < N; i++) {
            SyntheticGalaxy c = CLEAN.galaxy(i), g = bad.galaxy(i);
            Artefact a = single(g, ArtefactKind.BAD_COLUMN);
            int x = (int) a.x0();
            for (int b = 0; b < 3; b++) {
                boolean hit = a.bands().contains(BANDS.get(b));
                float[][] p = g.image().pixels()[b], q = c.image().pixels()[b];
                for (int y = 0; y < 64; y++) {
                    for (int col = 0; col < 64; col++) {
                        boolean inside = hit && col == x && y >= a.y0() && y <= a.y1();
                        if (!inside) {
                            assertEquals(q[y][col], p[y][col], g.id() + " untouched pixel " + col + "," + y);
                        } else if (a.variant().equals("DEAD")) {
                            assertEquals((float) a.level(), p[y][col], g.id());
                        } else {
                            assertEquals(q[y][col] + (float) a.level(), p[y][col], 1e-5, g.id());
                        }
                    }
                }
                if (hit && a.y1() - a.y0() >= 20) {
                    double sigma = g.truth().skyNoise().get(b);
                    double column = columnMedian(p, x, (int) a.y0(), (int) a.y1());
                    double neighbour = columnMedian(p, x >= 2 ? x - 2 : x + 2, (int) a.y0(), (int) a.y1());
                    assertTrue(Math.abs(column - neighbour) > 8 * sigma,
                            g.id() + " band " + b + ": column median " + column + " vs neighbour " + neighbour);
                }
            }
        }
    }

    @Test
    void nanBlockHoldsNanOrZeroExactlyInItsBox() {
        SyntheticSurvey blocks = only(ArtefactKind.NAN_BLOCK);
        boolean sawNan = false, sawZero = false;
        for (int i = 0; i < N; i++) {
            SyntheticGalaxy c = CLEAN.galaxy(i), g = blocks.galaxy(i);
            Artefact a = single(g, ArtefactKind.NAN_BLOCK);
            boolean nan = a.variant().equals("NAN");
            sawNan |= nan;
            sawZero |= !nan;
            for (int b = 0; b < 3; b++) {
                boolean hit = a.bands().contains(BANDS.get(b));
                for (int y = 0; y < 64; y++) {
                    for (int x = 0; x < 64; x++) {
                        float v = g.image().pixels()[b][y][x];
                        boolean inside = hit && x >= a.x0() && x <= a.x1() && y >= a.y0() && y <= a.y1();
                        if (inside && nan) assertTrue(Float.isNaN(v), g.id());
                        else if (inside) assertEquals(0f, v, g.id());
                        else assertEquals(c.image().pixels()[b][y][x], v, g.id());
                    }
                }
            }
        }
        assertTrue(sawNan && sawZero, "both variants occur in " + N + " cutouts");
    }

    @Test
    void chipEdgeBlanksEverythingBeyondItsLineAndNothingElse() {
        SyntheticSurvey edges = only(ArtefactKind.CHIP_EDGE);
        for (int i = 0; i < N; i++) {
            SyntheticGalaxy c = CLEAN.galaxy(i), g = edges.galaxy(i);
            Artefact a = single(g, ArtefactKind.CHIP_EDGE);
            int blanked = 0;
            for (int b = 0; b < 3; b++) {
                boolean hit = a.bands().contains(BANDS.get(b));
                for (int y = 0; y < 64; y++) {
                    for (int x = 0; x < 64; x++) {
                        float v = g.image().pixels()[b][y][x];
                        // Side of the edge line: the sign of a cross product, compared with the centre's.
                        double side = (a.x1() - a.x0()) * (y - a.y0()) - (a.y1() - a.y0()) * (x - a.x0());
                        double centre = (a.x1() - a.x0()) * (31.5 - a.y0()) - (a.y1() - a.y0()) * (31.5 - a.x0());
                        if (hit && side * centre < 0) {
                            blanked++;
                            assertTrue(a.variant().equals("NAN") ? Float.isNaN(v) : v == 0f, g.id());
                        } else {
                            assertEquals(c.image().pixels()[b][y][x], v, g.id());
                        }
                    }
                }
            }
            assertTrue(blanked >= 64 * 3, g.id() + ": an edge at least 3 pixels in blanks " + blanked);
        }
    }

    @Test
    void saturatedStarIsClippedAtItsLevelWithABleedColumn() {
        SyntheticSurvey stars = only(ArtefactKind.SATURATED_STAR);
        for (int i = 0; i < N; i++) {
            SyntheticGalaxy g = stars.galaxy(i);
            assertEquals(List.of("SATURATED_STAR", "BLEED_TRAIL"), g.truth().artefactLabels());
            Artefact star = single(g, ArtefactKind.SATURATED_STAR), bleed = single(g, ArtefactKind.BLEED_TRAIL);
            float level = (float) star.level();
            for (int b = 0; b < 3; b++) {
                float[][] p = g.image().pixels()[b];
                int clipped = 0;
                for (int y = 0; y < 64; y++) {
                    for (int x = 0; x < 64; x++) {
                        assertTrue(p[y][x] <= level, g.id() + " nothing exceeds saturation");
                        boolean inBleed = x >= bleed.x0() && x <= bleed.x1() && y >= bleed.y0() && y <= bleed.y1();
                        if (inBleed) assertEquals(level, p[y][x], g.id() + " bleed");
                        boolean nearStar = Math.hypot(x - star.x0(), y - star.y0()) < 8;   // not a bright galaxy core
                        if (p[y][x] == level && !inBleed && nearStar) clipped++;
                    }
                }
                assertTrue(clipped >= 4, g.id() + " band " + b + ": " + clipped + " clipped pixels around the core");
                assertEquals(level, p[(int) Math.round(star.y0())][(int) Math.round(star.x0())], g.id() + " the star's own pixel");
            }
            assertTrue(bleed.x0() <= Math.round(star.x0()) && Math.round(star.x0()) <= bleed.x1(), "bleed runs through the star");
        }
    }

    @Test
    void cosmicRaysAreSharpHitsInOneBandInsideTheirBoxes() {
        SyntheticSurvey rays = only(ArtefactKind.COSMIC_RAY);
        for (int i = 0; i < N; i++) {
            SyntheticGalaxy c = CLEAN.galaxy(i), g = rays.galaxy(i);
            List<Artefact> hits = g.truth().artefacts();
            assertFalse(hits.isEmpty());
            int band = BANDS.indexOf(hits.get(0).bands().get(0));
            for (Artefact h : hits) {
                assertEquals(ArtefactKind.COSMIC_RAY, h.kind());
                assertEquals(List.of(BANDS.get(band)), h.bands(), "all hits in one band");
                double peak = 0;
                for (int y = (int) h.y0(); y <= h.y1(); y++) {
                    for (int x = (int) h.x0(); x <= h.x1(); x++) {
                        peak = Math.max(peak, g.image().pixels()[band][y][x] - c.image().pixels()[band][y][x]);
                    }
                }
                assertTrue(peak >= 0.5 && peak > 50 * g.truth().skyNoise().get(band), g.id() + " hit of " + peak);
            }
            for (int b = 0; b < 3; b++) {
                for (int y = 0; y < 64; y++) {
                    for (int x = 0; x < 64; x++) {
                        final int fx = x, fy = y;
                        boolean inBox = b == band && hits.stream().anyMatch(h -> fx >= h.x0() && fx <= h.x1() && fy >= h.y0() && fy <= h.y1());
                        if (!inBox) assertEquals(c.image().pixels()[b][y][x], g.image().pixels()[b][y][x], g.id());
                    }
                }
            }
        }
    }

    @Test
    void satelliteTrailBrightensItsLineInItsBandsOnly() {
        SyntheticSurvey trails = only(ArtefactKind.SATELLITE_TRAIL);
        for (int i = 0; i < N; i++) {
            SyntheticGalaxy c = CLEAN.galaxy(i), g = trails.galaxy(i);
            Artefact a = single(g, ArtefactKind.SATELLITE_TRAIL);
            double len = Math.hypot(a.x1() - a.x0(), a.y1() - a.y0());
            assertTrue(len > 1, "the trail crosses the cutout");
            for (int b = 0; b < 3; b++) {
                boolean hit = a.bands().contains(BANDS.get(b));
                double onLine = 0;
                int onCount = 0;
                for (int y = 0; y < 64; y++) {
                    for (int x = 0; x < 64; x++) {
                        double d = Math.abs((x - a.x0()) * (a.y1() - a.y0()) - (y - a.y0()) * (a.x1() - a.x0())) / len;
                        double diff = g.image().pixels()[b][y][x] - c.image().pixels()[b][y][x];
                        if (!hit || d > 10) assertEquals(0, diff, 1e-6, g.id() + " off the trail");
                        if (hit && d < 0.5) {
                            onLine += diff;
                            onCount++;
                        }
                    }
                }
                if (hit) {
                    double mean = onLine / onCount;
                    assertTrue(mean > 0.75 * a.level() && mean <= a.level() * 1.0001,
                            g.id() + ": mean excess on the line " + mean + " vs peak " + a.level());
                }
            }
        }
    }

    private static Artefact single(SyntheticGalaxy g, ArtefactKind kind) {
        List<Artefact> found = g.truth().artefacts().stream().filter(a -> a.kind() == kind).toList();
        assertEquals(1, found.size(), g.id() + " has one " + kind);
        assertTrue(g.truth().artefactLabels().contains(kind.name()));
        return found.get(0);
    }

    private static double columnMedian(float[][] p, int x, int y0, int y1) {
        double[] v = new double[y1 - y0 + 1];
        for (int y = y0; y <= y1; y++) v[y - y0] = p[y][x];
        return Photometry.median(v);
    }
}
