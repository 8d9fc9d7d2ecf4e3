package org.astropt.stream.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.astropt.stream.core.SharedFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigTest {

    @Test
    void eightPresetsWithThePapersSizes() {
        assertEquals(List.of("1M", "5M", "12M", "21M", "89M", "309M", "830M", "2.1B"),
                ModelConfig.PRESETS.stream().map(ModelConfig.Preset::name).toList());
        ModelConfig.Preset p = ModelConfig.preset("89m");
        assertEquals(12, p.config().nLayer());
        assertEquals(12, p.config().nHead());
        assertEquals(768, p.config().nEmbd());
        assertEquals(6e-4, p.learningRate());
        assertEquals(768, p.config().tokenDim());
        assertEquals(64, p.config().headDim());
        assertEquals(1.6e-4, ModelConfig.preset("2.1B").learningRate());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelConfig.preset("7B"))
                .getMessage().contains("7B"));
    }

    @Test
    void forwardFlopsCountEveryMatrixProduct() {
        // One block, one head, E = 2, one band of 1x1 patches (D = 1), one token, multiply-adds by hand:
        // encoder 1x2 + 2x2 = 6; block q,k,v 2x6 = 12, out 2x2 = 4, MLP 2x8 + 8x2 = 32; attention q.k 2 + att.v 2;
        // head 2x4 + 4x2 + 2x1 = 18. Total 6 + 48 + 4 + 18 = 76 multiply-adds = 152 FLOPs.
        ModelConfig tiny = new ModelConfig(1, 1, 2, 1, 8, 1, false, 0);
        assertEquals(152, tiny.forwardFlops(1), 1e-9);
        // T = 2: the products of tokens with weights double, the attention term 4 T^2 E (8 at T = 1) quadruples.
        assertEquals(2 * (152 - 8) + 4 * 4 * 2, tiny.forwardFlops(2), 1e-9);
    }

    @Test
    void jsonRoundTripKeepsTheReferenceKeys(@TempDir Path dir) throws Exception {
        ModelConfig c = new ModelConfig(3, 4, 96, 5, 256, 8, true, 0.1);
        Path file = dir.resolve("config.json");
        c.write(file);
        String json = Files.readString(file);
        for (String key : List.of("n_layer", "n_head", "n_embd", "n_chan", "block_size", "patch_size", "bias", "dropout")) {
            assertTrue(json.contains("\"" + key + "\""), key + " in " + json);
        }
        assertEquals(c, ModelConfig.read(file));
    }

    @Test
    void anAlertModelDeclaresItsInputLayoutAndAGrzConfigStaysTheReferences(@TempDir Path dir) throws Exception {
        ModelConfig alert = new ModelConfig(2, 4, 64, 3, 256, 8, false, 0.0)
                .withInputLayout(org.astropt.stream.core.token.InputLayout.ALERT_TRIPLET);
        Path file = dir.resolve("config.json");
        alert.write(file);
        assertTrue(Files.readString(file).contains("\"input_layout\" : \"alert-triplet\""), Files.readString(file));
        assertEquals(alert, ModelConfig.read(file));
        assertEquals(org.astropt.stream.core.token.InputLayout.GRZ_CUTOUT, ModelConfig.read(SharedFixtures.tiny("config.json")).inputLayout());
        assertTrue(!new ModelConfig(2, 4, 64, 3, 256, 8, false, 0.0).toJson().contains("input_layout"));
        var e = assertThrows(InvalidCheckpointException.class,
                () -> ModelConfig.fromJson("{\"n_layer\": 1, \"n_head\": 1, \"n_embd\": 2, \"input_layout\": \"rgb\"}", "cfg"));
        assertTrue(e.getMessage().contains("unknown input layout 'rgb'"), e.getMessage());
    }

    @Test
    void readsTheFixtureConfig() throws Exception {
        Path file = SharedFixtures.tiny("config.json");
        ModelConfig c = ModelConfig.read(file);
        assertEquals(new ModelConfig(2, 4, 64, 3, 1024, 16, false, 0.0), c);
    }

    @Test
    void missingKeysTakeV1DefaultsAndUnknownKeysAreIgnored() {
        ModelConfig c = ModelConfig.fromJson("{\"n_layer\": 4, \"n_head\": 8, \"n_embd\": 128, \"vocab_size\": 1}", "args");
        assertEquals(ModelConfig.preset("1M").config(), c);
    }

    @Test
    void badConfigsNameTheKey() {
        InvalidCheckpointException missing = assertThrows(InvalidCheckpointException.class,
                () -> ModelConfig.fromJson("{\"n_layer\": 4, \"n_embd\": 128}", "m/config.json"));
        assertEquals("m/config.json: model_args key n_head is missing", missing.getMessage());
        InvalidCheckpointException indivisible = assertThrows(InvalidCheckpointException.class,
                () -> ModelConfig.fromJson("{\"n_layer\": 4, \"n_head\": 3, \"n_embd\": 128}", "c.json"));
        assertEquals("c.json: n_embd 128 is not a multiple of n_head 3", indivisible.getMessage());
        InvalidCheckpointException notInt = assertThrows(InvalidCheckpointException.class,
                () -> ModelConfig.fromJson("{\"n_layer\": 4.5, \"n_head\": 4, \"n_embd\": 128}", "c.json"));
        assertTrue(notInt.getMessage().startsWith("c.json: n_layer must be an integer"), notInt.getMessage());
        assertFalse(assertThrows(InvalidCheckpointException.class, () -> ModelConfig.fromJson("[1]", "x"))
                .getMessage().isEmpty());
    }

    @Test
    void aNewModelIsSizedForItsTokensOfOneLayout() {
        ModelConfig preset = ModelConfig.preset("1M").config();
        ModelConfig alerts = preset.forTokens(org.astropt.stream.core.token.InputLayout.ALERT_TRIPLET, 8, 192, "alerts");
        assertEquals(8, alerts.patchSize());
        assertEquals(3, alerts.nChan(), "science, template, difference");
        assertEquals(192, alerts.tokenDim());
        assertEquals(preset.blockSize(), alerts.blockSize(), "1024 covers a ZTF stamp's 64 tokens");
        assertEquals(org.astropt.stream.core.token.InputLayout.ALERT_TRIPLET, alerts.inputLayout());
        assertEquals(preset.withChannels(1), preset.forTokens(org.astropt.stream.core.token.InputLayout.GRZ_CUTOUT, 16, 256, "r band"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> preset.forTokens(org.astropt.stream.core.token.InputLayout.ALERT_TRIPLET, 16, 192, "record 42"));
        assertEquals("record 42: tokens of 192 values are not 16x16 patches of whole bands", e.getMessage());
    }
}
