package org.astropt.stream.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrainerTest {

    /** Smooth waves: token t of a sequence is a phase-shifted sine over its 16 values, so it predicts t + 1. */
    static List<float[][]> waves(int count, int length, long seed) {
        Random r = new Random(seed);
        List<float[][]> out = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            double phase = r.nextDouble() * 2 * Math.PI;
            double speed = 0.3 + 0.4 * r.nextDouble();
            float[][] s = new float[length][16];
            for (int t = 0; t < length; t++) {
                for (int i = 0; i < 16; i++) s[t][i] = (float) (1.5 * Math.sin(speed * t + 0.4 * i + phase));
            }
            out.add(s);
        }
        return out;
    }

    @Test
    void lossFallsOnStructuredSequences() {
        Trainer.Split split = Trainer.Split.of(waves(72, 12, 5), 0.125, 9);
        assertEquals(9, split.validation().size());
        Trainer.Settings settings = new Trainer.Settings(8, 1, 60, LrSchedule.of(3e-3, 5, 60), 1.0,
                AdamW.Settings.ASTROPT, 30, 5);
        List<Trainer.Progress> seen = new ArrayList<>();
        try (AstroPTModel model = AstroPTModel.create(CheckpointTest.SMALL, Device.cpu(), 21);
             Trainer trainer = new Trainer(model, settings)) {
            float validationBefore = trainer.evaluate(split.validation());
            Trainer.Progress last = trainer.run(split.train(), split.validation(), seen::add);
            assertEquals(60, seen.size());
            assertEquals(60, last.step());
            float first = seen.get(0).loss();
            float end = (seen.get(57).loss() + seen.get(58).loss() + seen.get(59).loss()) / 3;
            System.out.printf("training loss %.4f -> %.4f, validation %.4f -> %.4f%n", first, end, validationBefore,
                    last.validationLoss());
            assertTrue(end < 0.5 * first, "training loss fell from " + first + " to only " + end);
            assertTrue(last.validationLoss() < 0.5 * validationBefore,
                    "validation loss fell from " + validationBefore + " to only " + last.validationLoss());
            assertEquals(2, seen.stream().filter(p -> !Float.isNaN(p.validationLoss())).count(), "validation at 30 and 60");
            assertTrue(last.tokensPerSecond() > 0);
        }
    }

    @Test
    void twoTrainersInOneJvmTakeTurnsInsteadOfFailing() throws Exception {
        // DJL allows one gradient collector at a time per JVM; the local stack trains a model per layout at once.
        List<float[][]> seqs = waves(8, 10, 4);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            List<java.util.concurrent.Future<Float>> losses = new ArrayList<>();
            for (int seed = 1; seed <= 2; seed++) {
                int s = seed;
                losses.add(pool.submit(() -> {
                    try (AstroPTModel model = AstroPTModel.create(CheckpointTest.SMALL, Device.cpu(), s);
                         Trainer trainer = new Trainer(model, Trainer.Settings.astropt(1e-3, 8, 1, 100))) {
                        float last = Float.NaN;
                        for (int step = 0; step < 20; step++) {
                            try (ai.djl.ndarray.NDManager m = model.newBatchManager()) {
                                last = trainer.step(List.of(TokenBatch.stack(m, seqs)), 1e-3);
                            }
                        }
                        return last;
                    }
                }));
            }
            for (var f : losses) assertTrue(Float.isFinite(f.get()), "each trainer finished its 20 steps");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void stepsLeaveNoArraysBehind() {
        List<float[][]> seqs = waves(8, 10, 3);
        try (AstroPTModel model = AstroPTModel.create(CheckpointTest.SMALL, Device.cpu(), 2);
             Trainer trainer = new Trainer(model, Trainer.Settings.astropt(1e-3, 4, 2, 100))) {
            java.util.function.IntSupplier steps = () -> {
                try (ai.djl.ndarray.NDManager m = model.newBatchManager()) {
                    trainer.step(List.of(TokenBatch.stack(m, seqs.subList(0, 4)), TokenBatch.stack(m, seqs.subList(4, 8))), 1e-3);
                }
                trainer.evaluate(seqs);
                return model.manager().getManagedArrays().size();
            };
            steps.getAsInt();
            int afterTwo = steps.getAsInt();
            for (int i = 0; i < 4; i++) steps.getAsInt();
            assertEquals(afterTwo, steps.getAsInt(), "arrays held by the model's manager (weights, AdamW moments) after 2 and 7 steps");
        }
    }

    @Test
    void validationByIdHashIsStableAndNearTheFraction() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4000; i++) ids.add(String.format("syn-1-%06d", i));
        List<float[][]> seqs = waves(4000, 2, 3);
        Trainer.Split split = Trainer.Split.byId(ids, seqs, 0.05, 1);
        assertEquals(4000, split.train().size() + split.validation().size());
        assertTrue(Math.abs(split.validation().size() - 200) < 45, "about 5% held out, got " + split.validation().size());
        // The side of an object depends on its id only: the first 100 objects alone, in reverse order, split alike.
        List<String> few = new ArrayList<>(ids.subList(0, 100));
        List<float[][]> fewSeqs = new ArrayList<>(seqs.subList(0, 100));
        java.util.Collections.reverse(few);
        java.util.Collections.reverse(fewSeqs);
        Trainer.Split part = Trainer.Split.byId(few, fewSeqs, 0.05, 7);
        java.util.Set<float[][]> held = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        held.addAll(split.validation());
        for (float[][] s : part.validation()) assertTrue(held.contains(s), "held out in both splits");
        for (float[][] s : part.train()) assertTrue(!held.contains(s), "trained on in both splits");
        // A set too small for the fraction still holds one out.
        assertEquals(1, Trainer.Split.byId(List.of("a", "b", "c"), waves(3, 2, 1), 0.01, 1).validation().size());
    }

    @Test
    void accumulatingTwoHalvesEqualsOneWholeBatch() {
        List<float[][]> seqs = waves(8, 10, 7);
        Trainer.Settings settings = Trainer.Settings.astropt(1e-3, 4, 2, 1);
        float[][] after = new float[2][];
        float[] loss = new float[2];
        for (int run = 0; run < 2; run++) {
            try (AstroPTModel model = AstroPTModel.create(CheckpointTest.SMALL, Device.cpu(), 13);
                 Trainer trainer = new Trainer(model, settings);
                 ai.djl.ndarray.NDManager m = model.newBatchManager()) {
                List<ai.djl.ndarray.NDArray> micro = run == 0
                        ? List.of(TokenBatch.stack(m, seqs))
                        : List.of(TokenBatch.stack(m, seqs.subList(0, 4)), TokenBatch.stack(m, seqs.subList(4, 8)));
                loss[run] = trainer.step(micro, 1e-3);
                after[run] = model.network().namedParameters().get("transformer.h.0.attn.c_attn.weight").getArray().toFloatArray();
            }
        }
        assertEquals(loss[0], loss[1], 1e-6);
        Parity.assertAbsolute("weights after accumulated step", after[1], after[0], 1e-6);
    }

    @Test
    void aSourceWithNothingTrainableIsRefused() {
        try (AstroPTModel model = AstroPTModel.create(CheckpointTest.SMALL, Device.cpu(), 1);
             Trainer trainer = new Trainer(model, Trainer.Settings.astropt(1e-3, 2, 1, 3))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> trainer.run(waves(4, 1, 1), List.of(), p -> { }));
            assertEquals("the training source has no sequence of 2 to 33 tokens", e.getMessage());
        }
    }

    @Test
    void scheduleWarmsUpThenDecaysToATenth() {
        LrSchedule s = LrSchedule.of(1e-3, 10, 110);
        assertEquals(1e-3 / 11, s.at(0), 1e-12);
        assertEquals(1e-3 * 10 / 11, s.at(9), 1e-12);
        assertEquals(1e-3, s.at(10), 1e-12);
        assertEquals(1e-4 + 0.5 * 9e-4, s.at(60), 1e-12); // halfway down the cosine
        assertEquals(1e-4, s.at(110), 1e-12);
        assertEquals(1e-4, s.at(500), 1e-12);
        for (int i = 10; i < 110; i++) assertTrue(s.at(i + 1) <= s.at(i), "decays monotonically at " + i);
    }

    @Test
    void progressLineShowsStepLossRateAndEta() {
        Trainer.Progress p = new Trainer.Progress(120, 3000, 0.41234f, Float.NaN, 6e-4, 15_300, Duration.ofSeconds(252));
        assertEquals("step  120/3000 [....................] loss 0.4123 lr 6.0e-04 15.3k tok/s ETA 4m12s", ProgressBar.format(p));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, 100);
        bar.accept(p);                                                                           // not a 100th step: quiet
        bar.accept(new Trainer.Progress(3000, 3000, 0.2f, 0.25f, 6e-5, 2e6, Duration.ZERO));   // last: printed
        assertEquals("step 3000/3000 [####################] loss 0.2000 val 0.2500 lr 6.0e-05 2.0M tok/s ETA 0s\n",
                bytes.toString(StandardCharsets.UTF_8));
    }
}
