package org.astropt.stream.core.heads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.Embedder;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.ModelFolder;
import org.astropt.stream.core.model.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoreHeadsTest {

    private static final ModelConfig TINY = new ModelConfig(2, 2, 16, 1, 32, 4, false, 0.0);

    @TempDir
    Path dir;

    /** A head that reads tokens.max_tied alone: fires on a cutout with a constant region, not on noise. */
    private static LogisticHead tiedHead(int nEmbd, double threshold) {
        int d = nEmbd + HeadFeatures.STATISTICS.size();
        double[] mean = new double[d], scale = new double[d], w = new double[d];
        java.util.Arrays.fill(scale, 1);
        w[nEmbd + HeadFeatures.STATISTICS.indexOf("tokens.max_tied")] = 40;
        return new LogisticHead("artefact_nan_block", mean, scale, w, -10, threshold);
    }

    private static float[][] noise(SplittableRandom r, int tokens, int dim) {
        float[][] t = new float[tokens][dim];
        for (float[] row : t) for (int j = 0; j < dim; j++) row[j] = (float) r.nextGaussian();
        return t;
    }

    @Test
    void headsTravelInsideTheWeightsAndTheNetworkStillLoads() throws Exception {
        float[][] clean = noise(new SplittableRandom(1), 6, TINY.tokenDim());
        float[][] blank = noise(new SplittableRandom(2), 6, TINY.tokenDim());
        for (int j = 0; j < TINY.tokenDim() / 2; j++) blank[3][j] = -0.7f; // half a token constant
        float[][][] refs = new float[40][][];
        try (AstroPTModel model = AstroPTModel.create(TINY, Device.cpu(), 7)) {
            Checkpoint.save(model, dir, Safetensors.Dtype.F32);
        }
        ModelFolder folder = new ModelFolder(dir);
        String before = folder.sha256();
        List<Embedder.Result> results;
        try (AstroPTModel model = folder.load(Device.cpu()); Embedder e = new Embedder(model, Embedder.Settings.DEFAULT)) {
            for (int i = 0; i < refs.length; i++) refs[i] = noise(new SplittableRandom(100 + i), 6, TINY.tokenDim());
            List<float[][]> all = new java.util.ArrayList<>(List.of(refs));
            all.add(clean);
            all.add(blank);
            results = e.embed(all);
        }
        float[][] refEmbeddings = results.subList(0, refs.length).stream().map(HeadFeatures::noveltyVector).toArray(float[][]::new);
        ScoreHeads heads = new ScoreHeads(List.of(tiedHead(TINY.nEmbd(), 0.5)), NoveltyReference.of(refEmbeddings, 5), 0.99,
                Map.of("source", "test"));
        heads.writeInto(folder.weights());

        assertNotEquals(before, folder.sha256(), "the heads are part of the file the version's sha256 covers");
        ScoreHeads read = folder.heads().orElseThrow();
        try (AstroPTModel model = folder.load(Device.cpu())) { // the loader skips heads.*
            assertEquals(TINY, model.config());
        }
        ScoreHeads.Scored onClean = read.score(clean, results.get(refs.length));
        ScoreHeads.Scored onBlank = read.score(blank, results.get(refs.length + 1));
        assertTrue(onClean.scores().get("artefact_nan_block") < 0.01, "noise has no ties: " + onClean.scores());
        assertTrue(onBlank.scores().get("artefact_nan_block") > 0.99, "a constant half-token ties: " + onBlank.scores());
        assertEquals(List.of(), onClean.flags().stream().filter(f -> f.flagKind().equals("ARTEFACT")).toList());
        assertEquals("nan_block", onBlank.flags().get(0).artefactKind());
        assertEquals(heads.score(blank, results.get(refs.length + 1)).scores(), onBlank.scores(), "read back as written");
        assertEquals(Map.of("source", "test"), read.provenance());
        assertEquals(3, onClean.hardestTokens().length);
    }

    @Test
    void noveltyIsTheShareOfTheReferenceCloserToItsOwnNeighbours() {
        SplittableRandom r = new SplittableRandom(3);
        float[][] ref = new float[500][8];
        for (float[] v : ref) for (int j = 0; j < 8; j++) v[j] = (float) r.nextGaussian();
        NoveltyReference n = NoveltyReference.of(ref, 10);
        float[] typical = new float[8];
        float[] far = new float[8];
        java.util.Arrays.fill(far, 6f);
        assertTrue(n.novelty(typical) < 0.2, "the centre of the population is not novel: " + n.novelty(typical));
        assertEquals(1.0, n.novelty(far), "beyond every reference object");
        int above = 0;
        for (int i = 0; i < 2000; i++) {
            float[] v = new float[8];
            for (int j = 0; j < 8; j++) v[j] = (float) r.nextGaussian();
            if (n.novelty(v) >= 0.9) above++;
        }
        // calibrated: new draws of the same population pass 0.9 about 10 % of the time
        assertTrue(above > 100 && above < 320, above + " of 2000 draws at novelty >= 0.9");
        assertTrue(Double.isNaN(n.novelty(new float[] {Float.NaN, 0, 0, 0, 0, 0, 0, 0})));
    }

    @Test
    void anomalyNeedsNoveltyAndNoArtefact() {
        SplittableRandom r = new SplittableRandom(4);
        float[][] ref = new float[200][2 * TINY.nEmbd()];
        for (float[] v : ref) for (int j = 0; j < v.length; j++) v[j] = (float) r.nextGaussian();
        ScoreHeads heads = new ScoreHeads(List.of(tiedHead(TINY.nEmbd(), 0.5)), NoveltyReference.of(ref, 5), 0.99, Map.of());
        float[] far = new float[TINY.nEmbd()];
        java.util.Arrays.fill(far, 8f);
        float[][] clean = noise(r, 4, TINY.tokenDim());
        float[][] blank = noise(r, 4, TINY.tokenDim());
        java.util.Arrays.fill(blank[2], 0f);
        Embedder.Result odd = new Embedder.Result(far, 0.5f, new float[] {0.1f, 0.9f, 0.2f}, far);
        assertEquals(List.of("ANOMALY"), heads.score(clean, odd).flags().stream().map(ScoreHeads.Flagged::flagKind).toList());
        assertEquals(List.of("ARTEFACT"), heads.score(blank, odd).flags().stream().map(ScoreHeads.Flagged::flagKind).toList(),
                "an artefact explains the novelty: no ANOMALY");
        assertArrayEquals(new int[] {2, 3, 1}, heads.score(clean, odd).hardestTokens(), "positions of tokens 1..T-1, worst first");
        assertEquals(List.of(), ScoreHeads.NONE.score(clean, odd).flags());
    }
}
