package org.astropt.stream.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.sim.SyntheticSurvey;
import org.astropt.stream.core.sim.TruthCatalogue;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.core.token.TokenizerSettings;
import org.astropt.stream.flink.records.SourceRecord;
import org.astropt.stream.flink.records.TokenRecords;
import org.astropt.stream.schemas.Cutout;
import org.astropt.stream.schemas.TokenSequence;
import org.junit.jupiter.api.Test;

/** A round's size, replay share and timing, without Kafka. */
class RoundPlanTest {

    @Test
    void recordsArePartitionEndsMinusStartsAndAPartitionNotStartedCountsFromZero() {
        assertEquals(30 + 5 + 7, RoundPlan.records(Map.of(0, 10L, 1, 20L), Map.of(0, 40L, 1, 25L, 2, 7L)));
        assertEquals(0, RoundPlan.records(Map.of(0, 40L), Map.of(0, 40L)));
    }

    @Test
    void aRoundIsTheConfiguredStepsOrOnePassOverTheRecordsNotHeldOut() {
        assertEquals(200, RoundPlan.steps(200, -1, 8));
        assertEquals(12, RoundPlan.steps(0, 95, 8), "ceil(95 / 8)");
        assertEquals(1, RoundPlan.steps(0, 0, 8), "at least one step");
    }

    @Test
    void replayTakesAShareOfTheBatchOnlyWhenThereAreOlderRecordsAndLeavesRoomForANewOne() {
        assertEquals(0, RoundPlan.replayPerStep(16, 0.25, false), "the first round has nothing to replay");
        assertEquals(4, RoundPlan.replayPerStep(16, 0.25, true));
        assertEquals(15, RoundPlan.replayPerStep(16, 1.0, true), "one new record per step at least");
    }

    @Test
    void aRoundIsDueAfterEveryRecordsOrAfterTheWaitWithAtLeastOneOrWhenOneIsUnderWay() {
        assertTrue(RoundPlan.due(TrainerState.Phase.IDLE, 2000, 2000, false));
        assertFalse(RoundPlan.due(TrainerState.Phase.IDLE, 1999, 2000, false));
        assertTrue(RoundPlan.due(TrainerState.Phase.IDLE, 1, 2000, true));
        assertFalse(RoundPlan.due(TrainerState.Phase.IDLE, 0, 2000, true), "waiting alone starts no round");
        assertTrue(RoundPlan.due(TrainerState.Phase.TRAINING, 0, 2000, false), "a crashed round resumes");
        assertTrue(RoundPlan.due(TrainerState.Phase.TRAINED, 0, 2000, false), "an unpublished candidate is published");
    }

    @Test
    void novelObjectsOfTheSyntheticSurveyAreNeverTrainedOn() throws Exception {
        SyntheticSurvey survey = new SyntheticSurvey(4, TokenFeed.SIZE, 40).withNovelFraction(0.5);
        CutoutDecoder decoder = new CutoutDecoder();
        PatchTokenizer tokenizer = new PatchTokenizer(TokenizerSettings.defaults().withSize(TokenFeed.SIZE));
        ModelConfig config = TrainerSettings.presetOf(TokenFeed.TINY).config().withChannels(3);
        int novel = 0, ordinary = 0;
        for (int i = 0; i < 12; i++) {
            Cutout c = TokenFeed.cutout(survey, 4, i);                      // truth in the FITS cards (NOVEL)
            CutoutImage image = decoder.decode(c);
            TokenSequence s = TokenRecords.sequence(c, image.metadata(), tokenizer.tokenize(c.getId(), image),
                    new SourceRecord(null, null, "test", -1, -1, 0));
            TokenRecord r = new TokenRecord(0, i, s, new byte[0]);
            boolean isNovel = survey.truth(i).isNovel();
            assertEquals(!isNovel, RoundPlan.fits(r, config), c.getId() + " novel " + isNovel);
            if (isNovel) novel++; else ordinary++;
            Map<String, String> feed = new HashMap<>(Map.of("producer", "astropt demo"));  // as the demo feed sends it
            TruthCatalogue.cells(survey.truth(i)).forEach((k, v) -> feed.put("truth." + k, v));
            s.getProvenance().setMetadata(feed);
            assertEquals(!isNovel, RoundPlan.fits(new TokenRecord(0, i, s, new byte[0]), config));
        }
        assertTrue(novel > 0 && ordinary > 0, novel + " novel, " + ordinary + " ordinary");
    }

    /** A model trains only on sequences of the layout its config declares, even where the token widths agree. */
    @Test
    void aModelTrainsOnlyOnItsOwnLayout() throws Exception {
        SyntheticSurvey survey = new SyntheticSurvey(4, TokenFeed.SIZE, 2);
        Cutout c = TokenFeed.cutout(survey, 4, 0);
        CutoutImage image = new CutoutDecoder().decode(c);
        ModelConfig grz8 = new ModelConfig(1, 2, 16, 3, 256, 8, false, 0.0);
        TokenSequence s = TokenRecords.sequence(c, image.metadata(),
                new PatchTokenizer(TokenizerSettings.defaults().withPatchSize(8)).tokenize(c.getId(), image),
                new SourceRecord(null, null, "test", -1, -1, 0));
        TokenRecord r = new TokenRecord(0, 0, s, new byte[0]);
        assertTrue(RoundPlan.fits(r, grz8));
        ModelConfig alert = grz8.withInputLayout(org.astropt.stream.core.token.InputLayout.ALERT_TRIPLET);
        assertFalse(RoundPlan.fits(r, alert), "a grz-cutout sequence of the same width is not an alert triplet");
        s.setLayout("alert-triplet");
        assertTrue(RoundPlan.fits(r, alert));
        assertFalse(RoundPlan.fits(r, grz8));
    }
}
