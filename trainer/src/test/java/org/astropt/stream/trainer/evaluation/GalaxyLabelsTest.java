package org.astropt.stream.trainer.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.sim.GalaxyTruth;
import org.astropt.stream.core.sim.SurveyWriter;
import org.astropt.stream.core.sim.SyntheticGalaxy;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.core.sim.TruthCatalogue;
import org.junit.jupiter.api.Test;

/** The truth reaches the evaluation the same whichever way it travelled: GalaxyTruth, truth.<column> metadata, FITS cards. */
class GalaxyLabelsTest {

    @Test
    void metadataAndFitsCardsGiveTheTruthsLabels() throws Exception {
        SyntheticSurvey survey = new SyntheticSurvey(11, 32, 40);
        int withArtefacts = 0;
        for (int i = 0; i < 40; i++) {
            SyntheticGalaxy g = survey.galaxy(i);
            GalaxyTruth t = g.truth();
            GalaxyLabels expected = GalaxyLabels.of(t);
            assertEquals(t.morphology().name(), expected.morphology());
            assertEquals(t.magnitude().r(), expected.quantities().get("mag_r"), 1e-4);
            assertEquals(t.colourGR(), expected.quantities().get("colour_gr"), 2e-4);
            assertEquals(t.artefactLabels().size(), expected.artefacts().size());
            if (!t.artefacts().isEmpty()) withArtefacts++;

            Map<String, String> feed = new HashMap<>(); // what the demo feed sends
            TruthCatalogue.cells(t).forEach((k, v) -> feed.put("truth." + k, v));
            assertEquals(expected, GalaxyLabels.fromMetadata(feed).orElseThrow());

            Map<String, String> cards = new CutoutDecoder().decode(SurveyWriter.fitsBytes(g), "fits", org.astropt.stream.schemas.ImageFormat.FITS, null, null).metadata();
            GalaxyLabels fromCards = GalaxyLabels.fromMetadata(cards).orElseThrow();
            assertEquals(expected.morphology(), fromCards.morphology());
            assertEquals(expected.artefacts(), fromCards.artefacts());
            for (String q : GalaxyLabels.QUANTITIES) {
                assertEquals(expected.quantities().get(q), fromCards.quantities().get(q), 1e-3, q);
            }
        }
        assertTrue(withArtefacts > 0, "the survey injects artefacts");
        assertTrue(GalaxyLabels.fromMetadata(Map.of("OBJECT", "real-1")).isEmpty(), "a real cutout has no truth");
    }

    @Test
    void novelObjectsAreMarkedWhicheverWayTheTruthTravelled() throws Exception {
        SyntheticSurvey survey = new SyntheticSurvey(12, 32, 30).withNovelFraction(0.5);
        int novel = 0;
        for (int i = 0; i < 30; i++) {
            SyntheticGalaxy g = survey.galaxy(i);
            GalaxyLabels labels = GalaxyLabels.of(g.truth());
            assertEquals(g.truth().novelLabel(), labels.novel());
            assertEquals(g.truth().isNovel(), labels.isNovel());
            if (labels.isNovel()) novel++;
            Map<String, String> feed = new HashMap<>();
            TruthCatalogue.cells(g.truth()).forEach((k, v) -> feed.put("truth." + k, v));
            assertEquals(labels, GalaxyLabels.fromMetadata(feed).orElseThrow());
            Map<String, String> cards = new CutoutDecoder().decode(SurveyWriter.fitsBytes(g), "fits", org.astropt.stream.schemas.ImageFormat.FITS, null, null).metadata();
            assertEquals(labels.novel(), GalaxyLabels.fromMetadata(cards).orElseThrow().novel());
        }
        assertTrue(novel > 5 && novel < 25, novel + " novel of 30");
        // Truth from before novel objects existed (no novel column, no NOVEL card): an ordinary galaxy.
        Map<String, String> old = new HashMap<>();
        TruthCatalogue.cells(new SyntheticSurvey(12, 32, 1).truth(0)).forEach((k, v) -> old.put("truth." + k, v));
        old.remove("truth.novel");
        assertEquals("", GalaxyLabels.fromMetadata(old).orElseThrow().novel());
        assertTrue(!new GalaxyLabels("SPIRAL", Map.of(), java.util.Set.of()).isNovel());
    }
}
