package org.astropt.stream.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.astropt.stream.schemas.ModelStatus;
import org.junit.jupiter.api.Test;

/** The promotion decision and the record's metrics, without Kafka or a model. */
class CandidateJudgeTest {

    @Test
    void theFirstCandidateServesWhenItsLossIsANumber() {
        CandidateJudge.Verdict v = CandidateJudge.verdict(0.32213, null, Double.NaN, 40);
        assertEquals(ModelStatus.PROMOTED, v.status());
        assertEquals("held-out loss 0.32213; no version served before", v.note());
        assertEquals(ModelStatus.REJECTED, CandidateJudge.verdict(Double.NaN, null, Double.NaN, 0).status(),
                "no held-out sequences, no loss: nothing to judge it by");
    }

    @Test
    void aLaterCandidateServesOnlyWhenItBeatsTheServingVersionOnTheSameSequences() {
        CandidateJudge.Verdict better = CandidateJudge.verdict(0.2900, 1L, 0.2934, 91);
        assertEquals(ModelStatus.PROMOTED, better.status());
        assertEquals("held-out loss 0.29000 beats 0.29340 of v1, measured now on the same 91 sequences", better.note());
        CandidateJudge.Verdict worse = CandidateJudge.verdict(0.31, 2L, 0.30, 91);
        assertEquals(ModelStatus.REJECTED, worse.status());
        assertEquals("held-out loss 0.31000 does not beat 0.30000 of v2, measured now on the same 91 sequences", worse.note());
        assertEquals(ModelStatus.REJECTED, CandidateJudge.verdict(0.30, 2L, 0.30, 91).status(), "a tie keeps the serving version");
        assertEquals(ModelStatus.REJECTED, CandidateJudge.verdict(Double.POSITIVE_INFINITY, 2L, 0.30, 91).status(), "a diverged candidate");
    }

    @Test
    void theRecordCarriesEveryNumberOfMetricsJsonButTheParent() {
        Map<String, Object> written = new LinkedHashMap<>();
        written.put("model", "astropt");
        written.put("round", 2);
        written.put("parent_version", 1);
        written.put("heldout_loss", 0.29);
        written.put("eval.probe_r2.mag_r", 0.8);
        assertEquals(Map.of("round", 2.0, "heldout_loss", 0.29, "eval.probe_r2.mag_r", 0.8), CandidateJudge.recordMetrics(written));
    }
}
