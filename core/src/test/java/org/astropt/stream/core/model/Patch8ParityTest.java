package org.astropt.stream.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.astropt.stream.core.SharedFixtures;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.core.io.Npy;
import org.astropt.stream.core.token.AlertTripletTokenizer;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.core.token.Tokens;
import org.astropt.stream.core.token.TokenizerSettings;
import org.junit.jupiter.api.Test;

/**
 * The 8 px patch reference (astropt-v1-patch8: the alert models' shape, a 64x64 3-band image, 64 tokens of 192):
 * our tokens, through the plain tokenizer and the alert-triplet one, and the network's outputs against PyTorch's.
 */
class Patch8ParityTest {

    private final Path dir = SharedFixtures.patch8("tokens.npy").getParent();

    @Test
    void tokensMatchTheReferenceThroughBothTokenizers() throws Exception {
        Npy.Array image = Npy.read(dir.resolve("image.npy"));
        int bands = image.size(0), h = image.size(1), w = image.size(2);
        float[][][] pixels = new float[bands][h][w];
        for (int c = 0; c < bands; c++) for (int y = 0; y < h; y++) System.arraycopy(image.data(), (c * h + y) * w, pixels[c][y], 0, w);
        CutoutImage display = new CutoutImage(pixels, List.of("science", "template", "difference"), Map.of());
        float[] expected = Npy.read(dir.resolve("tokens.npy")).data();
        TokenizerSettings patch8 = TokenizerSettings.defaults().withPatchSize(8);
        Tokens plain = new PatchTokenizer(patch8).tokenize("image.npy", display);
        Tokens triplet = new AlertTripletTokenizer(patch8).tokenize("image.npy", display);
        Tokens decoded = new PatchTokenizer(patch8).tokenize("image.fits", new CutoutDecoder().decode(dir.resolve("image.fits")));
        for (Tokens t : List.of(plain, triplet, decoded)) {
            assertEquals(64, t.tokenCount());
            assertEquals(192, t.tokenDim());
            assertArrayEquals(expected, t.data(), 1e-5f);
        }
    }

    @Test
    void networkOutputsMatchTheReference() throws Exception {
        try (AstroPTModel model = Checkpoint.load(dir, Device.cpu()); NDManager batch = model.newBatchManager()) {
            assertEquals(8, model.config().patchSize());
            NDArray x = AstroPTParityTest.array(batch, Npy.read(dir.resolve("tokens.npy"))).expandDims(0); // [1, 64, 192]
            AstroPTBlock.Forward out = model.network().forward(model.parameterStore(batch), x, false);
            Parity.assertRelative("hidden", out.hidden().toFloatArray(), Npy.read(dir.resolve("hidden.npy")).data(), AstroPTParityTest.REL);
            Parity.assertRelative("prediction", out.prediction().toFloatArray(), Npy.read(dir.resolve("prediction.npy")).data(),
                    AstroPTParityTest.REL);
            Parity.assertRelative("embedding", out.hidden().mean(new int[] {1}).toFloatArray(),
                    Npy.read(dir.resolve("embedding.npy")).data(), AstroPTParityTest.REL);
            Parity.assertRelative("surprise", SurpriseScore.of(out.prediction(), x).toFloatArray(),
                    Npy.read(dir.resolve("surprise.npy")).data(), AstroPTParityTest.REL);
        }
    }
}
