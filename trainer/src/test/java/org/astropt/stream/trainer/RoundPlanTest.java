package org.astropt.stream.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
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
        assertEquals(200, RoundPlan.steps(200, 10, 0.05, 8));
        assertEquals(12, RoundPlan.steps(0, 100, 0.05, 8), "ceil(100 * 0.95 / 8)");
        assertEquals(1, RoundPlan.steps(0, 1, 0.05, 8), "at least one step");
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
}
