package org.astropt.stream.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.astropt.stream.core.model.Safetensors.Dtype;
import org.astropt.stream.core.model.Safetensors.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    /** 2 layers, 2 heads, width 16, one band, 4x4 patches: D = 16, small enough to build instantly. */
    static final ModelConfig SMALL = new ModelConfig(2, 2, 16, 1, 32, 4, false, 0.0);

    @Test
    void namesFollowTheReferenceStateDict() {
        AstroPTBlock net = new AstroPTBlock(SMALL);
        List<String> names = List.copyOf(net.namedParameters().keySet());
        assertEquals(List.of("transformer.wte.0.weight", "transformer.wte.0.bias", "transformer.wte.2.weight",
                "transformer.wte.2.bias", "transformer.wpe.weight", "transformer.h.0.ln_1.weight",
                "transformer.h.0.attn.c_attn.weight", "transformer.h.0.attn.c_proj.weight", "transformer.h.0.ln_2.weight",
                "transformer.h.0.mlp.c_fc.weight", "transformer.h.0.mlp.c_proj.weight"), names.subList(0, 11));
        assertEquals(List.of("transformer.ln_f.weight", "lm_head.0.weight", "lm_head.0.bias", "lm_head.2.weight",
                "lm_head.2.bias", "lm_head.4.weight", "lm_head.4.bias"), names.subList(names.size() - 7, names.size()));
        assertArrayEquals(new long[] {48, 16}, net.namedParameters().get("transformer.h.1.attn.c_attn.weight").getShape().getShape());
        assertArrayEquals(new long[] {32, 16}, net.namedParameters().get("transformer.wpe.weight").getShape().getShape());
    }

    @Test
    void biasConfigAddsTheBlockBiases() {
        AstroPTBlock net = new AstroPTBlock(new ModelConfig(1, 2, 16, 1, 32, 4, true, 0.0));
        for (String n : List.of("transformer.h.0.ln_1.bias", "transformer.h.0.attn.c_attn.bias",
                "transformer.h.0.mlp.c_proj.bias", "transformer.ln_f.bias")) {
            assertTrue(net.namedParameters().containsKey(n), n);
        }
    }

    @Test
    void presetSizesAreTheArchitecturesExactCount() {
        // Counted from the declared shapes; nothing is allocated.
        for (String preset : List.of("1M", "89M", "309M")) {
            assertEquals(fromArchitecture(ModelConfig.preset(preset).config()), count(preset), preset);
        }
        assertEquals(1_198_592L, count("1M"));
        assertEquals(89_873_664L, count("89M"));
        assertEquals(309_910_272L, count("309M"));
    }

    /** The parameter count of the reference model, written out layer by layer (bias=false: the block Linears and LayerNorms have no biases). */
    private static long fromArchitecture(ModelConfig c) {
        long e = c.nEmbd();
        long d = (long) c.patchSize() * c.patchSize() * c.nChan(); // pixels in a patch
        long wte = (d * e + e) + (e * e + e);                       // Linear(D -> E), Linear(E -> E), with biases
        long wpe = (long) c.blockSize() * e;
        long block = e + 3 * e * e + e * e                          // ln_1, c_attn, attn c_proj
                + e + 4 * e * e + 4 * e * e;                        // ln_2, c_fc, mlp c_proj
        long lnF = e;
        long head = (e * 2 * e + 2 * e) + (2 * e * e + e) + (e * d + d); // Linear(E -> 2E), Linear(2E -> E), Linear(E -> D)
        return wte + wpe + c.nLayer() * block + lnF + head;
    }

    private static long count(String preset) {
        return new AstroPTBlock(ModelConfig.preset(preset).config()).namedParameters().values().stream()
                .mapToLong(p -> p.getShape().size()).sum();
    }

    @Test
    void restoredOptimizerMomentsAreTheSavedOnes() {
        try (AstroPTModel model = AstroPTModel.create(SMALL, Device.cpu(), 7);
             AdamW adamw = new AdamW(model, AdamW.Settings.ASTROPT)) {
            Map<String, Tensor> saved = new LinkedHashMap<>();
            int k = 0;
            for (Map.Entry<String, Tensor> e : adamw.moments().entrySet()) {
                float[] values = new float[Math.toIntExact(e.getValue().elementCount())];
                for (int i = 0; i < values.length; i++) values[i] = 0.25f * k++;
                saved.put(e.getKey(), Tensor.of(e.getValue().shape(), values, Dtype.F32));
            }
            adamw.restore(saved, 42);
            assertEquals(42, adamw.stepCount());
            Map<String, Tensor> back = adamw.moments();
            assertEquals(saved.keySet(), back.keySet());
            for (String name : saved.keySet()) assertArrayEquals(saved.get(name).toFloats(), back.get(name).toFloats(), name);
        }
    }

    @Test
    void savesAndLoadsEveryDtype(@TempDir Path dir) throws Exception {
        try (AstroPTModel model = AstroPTModel.create(SMALL, Device.cpu(), 7)) {
            Map<String, Tensor> original = Checkpoint.tensors(model.network(), Dtype.F32);
            for (Dtype dtype : Dtype.values()) {
                Path ckpt = dir.resolve(dtype.name());
                Checkpoint.save(model, ckpt, dtype);
                try (AstroPTModel back = Checkpoint.load(ckpt, Device.cpu())) {
                    assertEquals(SMALL, back.config());
                    Map<String, Tensor> loaded = Checkpoint.tensors(back.network(), Dtype.F32);
                    for (String name : original.keySet()) {
                        // Exact for F32; for F16/BF16 exactly the rounded value.
                        float[] expected = Tensor.of(original.get(name).shape(), original.get(name).toFloats(), dtype).toFloats();
                        assertArrayEquals(expected, loaded.get(name).toFloats(), name + " as " + dtype);
                    }
                }
            }
        }
    }

    @Test
    void initialisationFollowsTheReference() {
        try (AstroPTModel model = AstroPTModel.create(ModelConfig.of(4, 4, 64), Device.cpu(), 1)) {
            Map<String, Tensor> t = Checkpoint.tensors(model.network(), Dtype.F32);
            assertEquals(0.02, std(t.get("transformer.wte.0.weight").toFloats()), 0.002);
            assertEquals(0.02, std(t.get("transformer.wpe.weight").toFloats()), 0.002);
            assertEquals(0.02 / Math.sqrt(8), std(t.get("transformer.h.3.mlp.c_proj.weight").toFloats()), 0.0007);
            assertArrayEquals(new float[64], t.get("transformer.wte.2.bias").toFloats());
            float[] ones = new float[64];
            java.util.Arrays.fill(ones, 1f);
            assertArrayEquals(ones, t.get("transformer.h.0.ln_1.weight").toFloats());
        }
    }

    private static double std(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        return Math.sqrt(s / v.length);
    }

    @Test
    void aMissingTensorIsNamed(@TempDir Path dir) throws Exception {
        InvalidCheckpointException e = loadBroken(dir, t -> t.remove("transformer.h.1.ln_2.weight"));
        assertTrue(e.getMessage().endsWith(": missing transformer.h.1.ln_2.weight [16]"), e.getMessage());
        assertTrue(e.getMessage().startsWith(dir.resolve("weights.safetensors") + ": does not fit a model with n_layer 2"),
                e.getMessage());
    }

    @Test
    void aWrongShapeIsNamed(@TempDir Path dir) throws Exception {
        InvalidCheckpointException e = loadBroken(dir,
                t -> t.put("transformer.wpe.weight", Tensor.of(new long[] {16, 16}, new float[256], Dtype.F32)));
        assertTrue(e.getMessage().endsWith(": transformer.wpe.weight has shape [16, 16], expected [32, 16]"), e.getMessage());
    }

    @Test
    void aWrongDtypeIsNamed(@TempDir Path dir) throws Exception {
        InvalidCheckpointException e = loadBroken(dir,
                t -> t.put("lm_head.4.bias", new Tensor("I32", new long[] {16}, ByteBuffer.allocate(64))));
        assertTrue(e.getMessage().endsWith(": lm_head.4.bias has dtype I32, expected F32, F16 or BF16"), e.getMessage());
    }

    @Test
    void everyProblemIsListedAtOnce(@TempDir Path dir) throws Exception {
        InvalidCheckpointException e = loadBroken(dir, t -> {
            Tensor wpe = t.remove("transformer.wpe.weight");
            t.put("_orig_mod.transformer.wpe.weight", wpe);
            t.put("lm_head.0.bias", Tensor.of(new long[] {33}, new float[33], Dtype.BF16));
        });
        assertTrue(e.getMessage().endsWith(": missing transformer.wpe.weight [32, 16]; lm_head.0.bias has shape [33], "
                + "expected [32]; unexpected _orig_mod.transformer.wpe.weight (strip the _orig_mod. prefix of a "
                + "torch.compile checkpoint, see docs/IMPORTING_WEIGHTS.md)"), e.getMessage());
    }

    private interface Edit { void apply(Map<String, Tensor> tensors); }

    private static InvalidCheckpointException loadBroken(Path dir, Edit edit) throws Exception {
        try (AstroPTModel model = AstroPTModel.create(SMALL, Device.cpu(), 3)) {
            Checkpoint.save(model, dir, Dtype.F32);
            Map<String, Tensor> t = new LinkedHashMap<>(Safetensors.read(dir.resolve(Checkpoint.WEIGHTS_FILE)));
            edit.apply(t);
            Safetensors.write(dir.resolve(Checkpoint.WEIGHTS_FILE), t, Map.of());
        }
        return assertThrows(InvalidCheckpointException.class, () -> Checkpoint.load(dir, Device.cpu()).close());
    }
}
