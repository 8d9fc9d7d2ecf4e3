package org.astropt.stream.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** /models' per-version evaluation: the trainer's eval.* metrics as rows of embedding beside pixel PCA. */
class ModelEvaluationJsonTest {

    @Test
    void rowsPairEachEmbeddingFigureWithItsBaseline() {
        Map<String, Double> metrics = Map.of("heldout_loss", 0.28, "eval.objects", 256.0, "eval.dim", 128.0,
                "eval.probe_r2.mag_r", 0.81, "eval.pca.probe_r2.mag_r", 0.52,
                "eval.auc.any.surprise", 0.31, "eval.auc.any.probe", 0.97, "eval.pca.auc.any.probe", 0.90);
        Map<String, Object> e = HttpApi.evaluation(metrics);
        assertEquals(256.0, e.get("objects"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) e.get("rows");
        assertEquals(List.of("auc.any.probe", "auc.any.surprise", "probe_r2.mag_r"), rows.stream().map(r -> r.get("figure")).toList());
        assertEquals(0.97, rows.get(0).get("embedding"));
        assertEquals(0.90, rows.get(0).get("pca"));
        assertNull(rows.get(1).get("pca"), "surprise has no baseline");
        assertEquals(0.52, rows.get(2).get("pca"));
        assertEquals(Map.of(), HttpApi.evaluation(Map.of("heldout_loss", 0.3)), "a version never evaluated has no table");
    }
}
