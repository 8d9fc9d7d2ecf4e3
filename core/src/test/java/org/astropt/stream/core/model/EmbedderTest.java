package org.astropt.stream.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.astropt.stream.core.SharedFixtures;
import org.astropt.stream.core.io.Npy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EmbedderTest {

    static AstroPTModel model; // CheckpointTest.SMALL: D = 16, E = 16, block size 32

    @BeforeAll
    static void create() {
        model = AstroPTModel.create(CheckpointTest.SMALL, Device.cpu(), 11);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static List<float[][]> randomSequences(int[] lengths, long seed) {
        Random r = new Random(seed);
        List<float[][]> out = new ArrayList<>();
        for (int len : lengths) {
            float[][] s = new float[len][16];
            for (float[] tok : s) for (int i = 0; i < tok.length; i++) tok[i] = (float) r.nextGaussian();
            out.add(s);
        }
        return out;
    }

    @Test
    void paddedBatchesGiveWhatEachSequenceGivesAlone() {
        List<float[][]> seqs = randomSequences(new int[] {5, 9, 16, 3, 16, 1, 12, 9, 2}, 1);
        List<Embedder.Result> batched;
        try (Embedder e = new Embedder(model, new Embedder.Settings(4, new int[] {8, 16}, -1))) {
            batched = e.embed(seqs);
        }
        try (Embedder alone = new Embedder(model, new Embedder.Settings(1, new int[0], -1))) {
            for (int i = 0; i < seqs.size(); i++) {
                Embedder.Result one = alone.embed(seqs.get(i));
                Parity.assertRelative("embedding of sequence " + i, batched.get(i).embedding(), one.embedding(), 1e-5);
                if (seqs.get(i).length == 1) {
                    assertTrue(Float.isNaN(batched.get(i).surprise()), "one token has nothing to predict");
                } else {
                    assertEquals(one.surprise(), batched.get(i).surprise(), 1e-5 * Math.abs(one.surprise()), "surprise " + i);
                }
            }
        }
    }

    @Test
    void embeddingIsTheMeanOfTheChosenBlockAndSurpriseTheMeanHuberError() {
        float[][] seq = randomSequences(new int[] {7}, 2).get(0);
        try (NDManager m = model.newBatchManager();
             Embedder last = new Embedder(model, Embedder.Settings.DEFAULT);
             Embedder first = new Embedder(model, Embedder.Settings.DEFAULT.withLayer(0))) {
            NDArray tokens = TokenBatch.stack(m, java.util.Collections.singletonList(seq));
            AstroPTBlock.Forward f = model.network().forward(model.parameterStore(m), tokens, false);
            float[] mean0 = f.blockOutputs().get(0).mean(new int[] {1}).toFloatArray();
            float[] mean1 = f.blockOutputs().get(1).mean(new int[] {1}).toFloatArray();
            Parity.assertRelative("layer 0", first.embed(seq).embedding(), mean0, 1e-5);
            Parity.assertRelative("last layer", last.embed(seq).embedding(), mean1, 1e-5);
            // Surprise against a Huber error computed here by hand, value by value.
            float[] pred = f.prediction().toFloatArray();
            double sum = 0;
            for (int t = 0; t < 6; t++) {
                for (int i = 0; i < 16; i++) {
                    double d = Math.abs(pred[t * 16 + i] - seq[t + 1][i]);
                    sum += d < 1 ? 0.5 * d * d : d - 0.5;
                }
            }
            assertEquals(sum / (6 * 16), last.embed(seq).surprise(), 1e-6);
        }
        assertThrows(IllegalArgumentException.class, () -> new Embedder(model, Embedder.Settings.DEFAULT.withLayer(2)));
    }

    @Test
    void manyThreadsGetTheSameAnswersAndBatchMemoryIsFreed() throws Exception {
        List<float[][]> seqs = randomSequences(new int[] {16, 10, 16, 4, 16, 16, 8, 13}, 3);
        try (Embedder e = new Embedder(model, new Embedder.Settings(3, new int[] {16}, -1))) {
            List<Embedder.Result> expected = e.embed(seqs);
            int before = model.manager().getManagedArrays().size();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<List<Embedder.Result>>> futures = new ArrayList<>();
                for (int k = 0; k < 8; k++) futures.add(pool.submit(() -> e.embed(seqs)));
                for (Future<List<Embedder.Result>> f : futures) {
                    List<Embedder.Result> got = f.get();
                    for (int i = 0; i < seqs.size(); i++) assertArrayEquals(expected.get(i).embedding(), got.get(i).embedding(), 1e-6f);
                }
            } finally {
                pool.shutdown();
            }
            e.embed(seqs);
            // Predictors made for new threads hold no arrays; batches leave none behind.
            assertEquals(before, model.manager().getManagedArrays().size());
        }
    }

    @Test
    void tooLongOrMisshapenSequencesAreRefusedWithTheirIndex() {
        try (Embedder e = new Embedder(model, Embedder.Settings.DEFAULT)) {
            IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                    () -> e.embed(randomSequences(new int[] {4, 33}, 4)));
            assertEquals("sequence 1 has 33 tokens of 16 values; this model reads 1 to 32 tokens of 16", tooLong.getMessage());
        }
    }

    @Test
    void fixtureEmbeddingAndSurpriseThroughTheEmbedder() throws Exception {
        Path dir = SharedFixtures.tiny("weights.safetensors").getParent();
        Npy.Array tokens = Npy.read(dir.resolve("tokens.npy")); // [16][768]
        float[][] seq = new float[tokens.size(0)][tokens.size(1)];
        for (int t = 0; t < seq.length; t++) System.arraycopy(tokens.data(), t * seq[t].length, seq[t], 0, seq[t].length);
        try (AstroPTModel tiny = Checkpoint.load(dir, Device.cpu());
             Embedder e = new Embedder(tiny, Embedder.Settings.DEFAULT)) {
            // Alone (16 tokens = a bucket, no padding) and padded to 64 beside a shorter sequence.
            List<Embedder.Result> r = e.embed(List.<float[][]>of(seq, seq, java.util.Arrays.copyOf(seq, 9)));
            for (Embedder.Result one : r.subList(0, 2)) {
                Parity.assertRelative("embedder embedding", one.embedding(), Npy.read(dir.resolve("embedding.npy")).data(), 1e-4);
                Parity.assertRelative("embedder surprise", new float[] {one.surprise()}, Npy.read(dir.resolve("surprise.npy")).data(), 1e-4);
            }
        }
        try (AstroPTModel tiny = Checkpoint.load(dir, Device.cpu());
             Embedder padded = new Embedder(tiny, new Embedder.Settings(8, new int[] {64}, -1))) {
            Embedder.Result one = padded.embed(seq);
            Parity.assertRelative("padded embedding", one.embedding(), Npy.read(dir.resolve("embedding.npy")).data(), 1e-4);
            Parity.assertRelative("padded surprise", new float[] {one.surprise()}, Npy.read(dir.resolve("surprise.npy")).data(), 1e-4);
        }
    }
}
