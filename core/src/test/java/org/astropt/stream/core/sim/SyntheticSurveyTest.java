package org.astropt.stream.core.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.stream.LongStream;

import org.astropt.stream.core.image.CutoutImage;
import org.junit.jupiter.api.Test;

class SyntheticSurveyTest {

    @Test
    void sameSeedGivesBitIdenticalPixelsAndTruth() {
        List<SyntheticGalaxy> a = new SyntheticSurvey(42, 12).galaxies();
        List<SyntheticGalaxy> b = new SyntheticSurvey(42, 12).galaxies();
        for (int i = 0; i < a.size(); i++) {
            assertPixelsIdentical(a.get(i).image(), b.get(i).image());
            assertEquals(a.get(i).truth(), b.get(i).truth());
        }
    }

    @Test
    void differentSeedsGiveDifferentGalaxies() {
        SyntheticGalaxy a = new SyntheticSurvey(1, 1).galaxy(0);
        SyntheticGalaxy b = new SyntheticSurvey(2, 1).galaxy(0);
        assertNotEquals(a.truth().magnitude(), b.truth().magnitude());
        int differing = 0;
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                if (Float.compare(a.image().pixels()[1][y][x], b.image().pixels()[1][y][x]) != 0) differing++;
            }
        }
        assertTrue(differing > 4000, differing + " of 4096 pixels differ");
    }

    @Test
    void galaxyKDoesNotDependOnTheCount() {
        SyntheticGalaxy small = new SyntheticSurvey(7, 5).galaxy(3);
        SyntheticGalaxy fromStream = new SyntheticSurvey(7, 40).stream().skip(3).findFirst().orElseThrow();
        SyntheticGalaxy fromHuge = new SyntheticSurvey(7, 1_000_000).galaxy(3);
        assertPixelsIdentical(small.image(), fromStream.image());
        assertPixelsIdentical(small.image(), fromHuge.image());
        assertEquals(small.truth(), fromHuge.truth());
    }

    @Test
    void truthWithoutRenderingEqualsTheRenderedGalaxysTruth() {
        SyntheticSurvey survey = new SyntheticSurvey(13, 64, 40, 0.5, EnumSet.allOf(ArtefactKind.class));
        for (int i = 0; i < 40; i++) assertEquals(survey.galaxy(i).truth(), survey.truth(i), "galaxy " + i);
    }

    @Test
    void idsAreUniqueFileSafeAndCarrySeedAndIndex() {
        assertEquals("syn-42-000017", SyntheticSurvey.id(42, 17));
        assertEquals("syn-m5-000001", SyntheticSurvey.id(-5, 1));
        SyntheticGalaxy g = new SyntheticSurvey(42, 20).galaxy(17);
        assertEquals("syn-42-000017", g.id());
        assertEquals("syn-42-000017", g.image().metadata().get("id"));
    }

    @Test
    void cutoutsAreGrzFloatPlanesOfTheRequestedSize() {
        SyntheticGalaxy g = new SyntheticSurvey(3, 48, 1).galaxy(0);
        assertEquals(List.of("g", "r", "z"), g.image().bands());
        assertEquals(48, g.image().width());
        assertEquals(48, g.image().height());
        assertEquals("nanomaggy", g.image().metadata().get("unit"));
    }

    @Test
    void artefactsDoNotChangeTheGalaxyOrItsNoiseElsewhere() {
        SyntheticSurvey clean = new SyntheticSurvey(11, 64, 30, 0, EnumSet.allOf(ArtefactKind.class));
        SyntheticSurvey columns = clean.withArtefacts(1, EnumSet.of(ArtefactKind.BAD_COLUMN));
        for (int i = 0; i < 30; i++) {
            SyntheticGalaxy c = clean.galaxy(i), d = columns.galaxy(i);
            assertFalse(c.truth().hasArtefacts());
            Artefact col = d.truth().artefacts().get(0);
            for (int b = 0; b < 3; b++) {
                for (int y = 0; y < 64; y++) {
                    for (int x = 0; x < 64; x++) {
                        if (x == (int) col.x0()) continue;
                        assertEquals(c.image().pixels()[b][y][x], d.image().pixels()[b][y][x], "galaxy " + i);
                    }
                }
            }
        }
    }

    @Test
    void aboutThirtyPercentOfCutoutsCarryArtefactsByDefault() {
        SyntheticSurvey survey = new SyntheticSurvey(5, 400);
        long flagged = LongStream.range(0, 400).mapToObj(survey::truth).filter(GalaxyTruth::hasArtefacts).count();
        assertTrue(flagged > 0.22 * 400 && flagged < 0.38 * 400, flagged + " of 400 flagged");
    }

    @Test
    void theMixHoldsEllipticalsAndSpiralsWithArms() {
        SyntheticSurvey survey = new SyntheticSurvey(9, 300);
        List<GalaxyTruth> t = LongStream.range(0, 300).mapToObj(survey::truth).toList();
        long ellipticals = t.stream().filter(g -> g.morphology() == Morphology.ELLIPTICAL).count();
        long armed = t.stream().filter(GalaxyTruth::spiralArms).count();
        assertTrue(ellipticals > 50 && ellipticals < 120, ellipticals + " ellipticals of 300");
        assertTrue(armed > 80, armed + " armed spirals of 300");
        assertTrue(t.stream().allMatch(g -> g.magnitude().r() >= 16 - 1e-9 && g.magnitude().r() <= 21 + 1e-9));
        assertTrue(t.stream().allMatch(g -> g.psfFwhmArcsec().r() >= 1.0 && g.psfFwhmArcsec().r() <= 1.6));
        long faint = t.stream().filter(g -> g.magnitude().r() > 19).count();
        assertTrue(faint > 0.6 * 300, "most galaxies are faint: " + faint + " of 300 beyond r = 19");
    }

    @Test
    void rejectsCutoutsSmallerThanOnePatch() {
        assertThrows(IllegalArgumentException.class, () -> new SyntheticSurvey(1, 8, 1));
        assertThrows(IllegalArgumentException.class, () -> new SyntheticSurvey(1, 64, 1, 1.5, EnumSet.allOf(ArtefactKind.class)));
    }

    static void assertPixelsIdentical(CutoutImage a, CutoutImage b) {
        for (int band = 0; band < a.bandCount(); band++) {
            for (int y = 0; y < a.height(); y++) {
                int[] ra = new int[a.width()], rb = new int[b.width()];
                for (int x = 0; x < a.width(); x++) {
                    ra[x] = Float.floatToRawIntBits(a.pixels()[band][y][x]);
                    rb[x] = Float.floatToRawIntBits(b.pixels()[band][y][x]);
                }
                assertArrayEquals(ra, rb, "band " + band + " row " + y);
            }
        }
    }
}
