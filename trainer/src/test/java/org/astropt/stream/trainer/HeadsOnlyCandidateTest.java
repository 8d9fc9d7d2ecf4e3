package org.astropt.stream.trainer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** When refitted heads replace the serving version's: a clear gain in agreement with people's labels, measured. */
class HeadsOnlyCandidateTest {

    @Test
    void promotesOnAClearMeasuredGainOnly() {
        assertTrue(HeadsOnlyCandidate.promotes(0.987, 0.5), "heads that learnt the labels beat heads without an artefact head");
        assertTrue(HeadsOnlyCandidate.promotes(0.93, 0.90));
        assertFalse(HeadsOnlyCandidate.promotes(0.91, 0.90), "a gain within the noise of the folds");
        assertFalse(HeadsOnlyCandidate.promotes(0.80, 0.90), "worse");
        assertFalse(HeadsOnlyCandidate.promotes(Double.NaN, 0.5), "no artefact labels, no agreement, no promotion");
        assertTrue(HeadsOnlyCandidate.promotes(0.7, Double.NaN), "unmeasured serving heads count as chance");
        assertFalse(HeadsOnlyCandidate.promotes(0.51, Double.NaN));
    }
}
