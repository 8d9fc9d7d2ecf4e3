package org.astropt.stream.core.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.astropt.stream.core.token.InputLayout;

/**
 * The shape of an AstroPT network: the reference's {@code model_args}, under the same keys in
 * {@code config.json} (n_layer, n_head, n_embd, n_chan, block_size, patch_size, bias, dropout), so
 * a checkpoint's config moves between the Python reference and this code unchanged.
 *
 * @param nLayer    transformer blocks
 * @param nHead     attention heads; must divide nEmbd
 * @param nEmbd     width of the residual stream
 * @param nChan     bands per cutout (3 for AstroPT v1's grz)
 * @param blockSize longest token sequence: rows of the learned position table
 * @param patchSize side of a square patch in pixels (16 in AstroPT v1)
 * @param bias      whether LayerNorms and the attention/MLP Linears carry biases (false in AstroPT v1)
 * @param dropout   dropout rate in training (0 in AstroPT v1)
 * @param inputLayout what the channels are ({@code input_layout} in config.json; absent: grz-cutout, as
 *                  every config written before layouts): the pipeline embeds only sequences of this layout
 */
public record ModelConfig(int nLayer, int nHead, int nEmbd, int nChan, int blockSize, int patchSize,
                          boolean bias, double dropout, InputLayout inputLayout) {

    /** AstroPT v1 trained on 3-band (grz) cutouts. */
    public static final int DEFAULT_CHANNELS = 3;
    /** AstroPT v1's block size: 1024 tokens covers a 512x512 cutout in 16x16 patches. */
    public static final int DEFAULT_BLOCK_SIZE = 1024;
    /** AstroPT v1's patch side. */
    public static final int DEFAULT_PATCH_SIZE = 16;

    /** A named size from the paper with the peak learning rate it trained with. */
    public record Preset(String name, ModelConfig config, double learningRate) {}

    /** The eight sizes of Smith et al. 2024 (n_layer, n_head, n_embd, learning rate), smallest first. */
    public static final List<Preset> PRESETS = List.of(
            preset("1M", 4, 8, 128, 1e-3),
            preset("5M", 6, 8, 256, 1e-3),
            preset("12M", 6, 8, 384, 1e-3),
            preset("21M", 6, 8, 512, 1e-3),
            preset("89M", 12, 12, 768, 6e-4),
            preset("309M", 24, 16, 1024, 3e-4),
            preset("830M", 16, 8, 2048, 3e-4),
            preset("2.1B", 26, 32, 2560, 1.6e-4));

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** A config for grz cutouts (AstroPT v1's layout). */
    public ModelConfig(int nLayer, int nHead, int nEmbd, int nChan, int blockSize, int patchSize, boolean bias, double dropout) {
        this(nLayer, nHead, nEmbd, nChan, blockSize, patchSize, bias, dropout, InputLayout.GRZ_CUTOUT);
    }

    public ModelConfig {
        if (inputLayout == null) inputLayout = InputLayout.GRZ_CUTOUT;
        positive("n_layer", nLayer);
        positive("n_head", nHead);
        positive("n_embd", nEmbd);
        positive("n_chan", nChan);
        positive("block_size", blockSize);
        positive("patch_size", patchSize);
        if (nEmbd % nHead != 0) {
            throw new IllegalArgumentException("n_embd " + nEmbd + " is not a multiple of n_head " + nHead);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout " + dropout + " is outside [0, 1)");
        }
    }

    /** A config with AstroPT v1's defaults for everything but the three sizes. */
    public static ModelConfig of(int nLayer, int nHead, int nEmbd) {
        return new ModelConfig(nLayer, nHead, nEmbd, DEFAULT_CHANNELS, DEFAULT_BLOCK_SIZE,
                DEFAULT_PATCH_SIZE, false, 0.0);
    }

    /** The preset of this name ("1M" ... "2.1B"). */
    public static Preset preset(String name) {
        for (Preset p : PRESETS) {
            if (p.name().equalsIgnoreCase(name)) return p;
        }
        throw new IllegalArgumentException("no model preset named '" + name + "'; known: "
                + PRESETS.stream().map(Preset::name).toList());
    }

    /** Values in one token: a patch's pixels over all bands. */
    public int tokenDim() { return patchSize * patchSize * nChan; }

    public int headDim() { return nEmbd / nHead; }

    /**
     * Floating-point operations of one forward pass over one sequence of t tokens: the matrix
     * products only, a multiply-add counted as 2 (LayerNorm, GELU, softmax, ReLU and the residual
     * adds are O(T E) each and left out). With D = tokenDim, E = n_embd, L = n_layer:
     * <pre>
     *   patch encoder   2T (D E + E^2)
     *   each block      24 T E^2      q, k, v (6 T E^2), out projection (2 T E^2), MLP up and down (16 T E^2)
     *                 +  4 T^2 E      q k^T and att v over all heads; the whole T x T square, because the
     *                                 causal mask is added to it, not skipped
     *   head            2T (4 E^2 + E D)   E -> 2E -> E -> D
     *   total = 2T (D E + E^2) + L (24 T E^2 + 4 T^2 E) + 2T (4 E^2 + E D)
     * </pre>
     * About 2 * parameters per token plus the attention term, as for any GPT.
     */
    public double forwardFlops(long t) {
        double d = tokenDim(), e = nEmbd;
        return 2 * t * (d * e + e * e) + nLayer * (24 * t * e * e + 4.0 * t * t * e) + 2 * t * (4 * e * e + e * d);
    }

    /** Same network with another number of bands (a survey with other filters). */
    public ModelConfig withChannels(int channels) {
        return new ModelConfig(nLayer, nHead, nEmbd, channels, blockSize, patchSize, bias, dropout, inputLayout);
    }

    /** Same network over patches of another side (8 px for alert stamps). */
    public ModelConfig withPatchSize(int side) {
        return new ModelConfig(nLayer, nHead, nEmbd, nChan, blockSize, side, bias, dropout, inputLayout);
    }

    /**
     * This network sized for the token sequences it will learn from: patches of {@code patchSize} px, as many
     * channels as a token of {@code tokenDim} values holds ({@code tokenDim / patchSize^2}: 3 for grz cutouts of
     * 16 px patches, 3 for alert triplets of 8 px patches, 192 values), reading {@code layout}; the block size
     * stays this config's (the presets' 1024 covers a 512 px cutout of 16 px patches and a ZTF stamp's 64
     * tokens of 8 px alike). The one rule {@code astropt train} and the trainer's first round of a model size a
     * new model by.
     *
     * @param source names the tokens in the error when tokenDim is not whole patches of whole bands
     */
    public ModelConfig forTokens(InputLayout layout, int patchSize, int tokenDim, String source) {
        int patchValues = patchSize * patchSize;
        if (patchSize < 1 || tokenDim < patchValues || tokenDim % patchValues != 0) {
            throw new IllegalArgumentException(source + ": tokens of " + tokenDim + " values are not "
                    + patchSize + "x" + patchSize + " patches of whole bands");
        }
        return withPatchSize(patchSize).withChannels(tokenDim / patchValues).withInputLayout(layout);
    }

    /** Same network reading another input layout (an alert model: {@link InputLayout#ALERT_TRIPLET}). */
    public ModelConfig withInputLayout(InputLayout layout) {
        return new ModelConfig(nLayer, nHead, nEmbd, nChan, blockSize, patchSize, bias, dropout, layout);
    }

    // ---- config.json ----

    /** The reference's model_args as JSON, keys in its order. */
    public String toJson() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("n_layer", nLayer);
        args.put("n_head", nHead);
        args.put("n_embd", nEmbd);
        args.put("n_chan", nChan);
        args.put("block_size", blockSize);
        args.put("patch_size", patchSize);
        args.put("bias", bias);
        args.put("dropout", dropout);
        // written only when not the default, so a grz config.json stays the reference's model_args exactly
        if (inputLayout != InputLayout.GRZ_CUTOUT) args.put("input_layout", inputLayout.id());
        try {
            return JSON.writeValueAsString(args) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public void write(Path file) throws IOException {
        Files.writeString(file, toJson(), StandardCharsets.UTF_8);
    }

    /** Reads config.json; a missing optional key takes AstroPT v1's value, unknown keys are ignored. */
    public static ModelConfig read(Path file) throws IOException {
        return fromJson(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Parses model_args JSON; errors name the source and the offending key. */
    public static ModelConfig fromJson(String json, String source) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidCheckpointException(source, "not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (!(node instanceof ObjectNode args)) {
            throw new InvalidCheckpointException(source, "expected a JSON object of model_args");
        }
        try {
            return new ModelConfig(
                    integer(args, "n_layer", null, source),
                    integer(args, "n_head", null, source),
                    integer(args, "n_embd", null, source),
                    integer(args, "n_chan", DEFAULT_CHANNELS, source),
                    integer(args, "block_size", DEFAULT_BLOCK_SIZE, source),
                    integer(args, "patch_size", DEFAULT_PATCH_SIZE, source),
                    args.has("bias") && args.get("bias").asBoolean(),
                    args.has("dropout") ? args.get("dropout").asDouble() : 0.0,
                    InputLayout.of(args.has("input_layout") ? args.get("input_layout").asText() : null));
        } catch (IllegalArgumentException e) {
            throw new InvalidCheckpointException(source, e.getMessage());
        }
    }

    private static int integer(ObjectNode args, String key, Integer fallback, String source) {
        JsonNode v = args.get(key);
        if (v == null || v.isNull()) {
            if (fallback == null) throw new InvalidCheckpointException(source, "model_args key " + key + " is missing");
            return fallback;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new InvalidCheckpointException(source, key + " must be an integer, got " + v);
        }
        return v.intValue();
    }

    private static void positive(String key, int value) {
        if (value < 1) throw new IllegalArgumentException(key + " must be at least 1, got " + value);
    }

    private static Preset preset(String name, int nLayer, int nHead, int nEmbd, double lr) {
        return new Preset(name, of(nLayer, nHead, nEmbd), lr);
    }
}
