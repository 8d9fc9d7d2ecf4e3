package org.astropt.stream.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.astropt.stream.app.SequenceReader.Sequence;
import org.astropt.stream.core.InvalidCutoutException;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.Embedder;
import org.astropt.stream.core.model.InvalidCheckpointException;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.core.token.TokenizerSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code astropt embed INPUT... --weights MODEL_DIR}: one JSON line per input,
 * {@code {"id", "embedding", "surprise", "model", "tokens"}}: the AstroPT v1 embedding (the last
 * block's output averaged over tokens, n_embd floats), the surprise score (mean Huber error of the
 * model's next-patch predictions; null for a one-token input), the model folder's name and the
 * number of tokens.
 *
 * <pre>
 *   bin/astropt embed data/sim/fits/*.fits --weights models/sim-1m
 *   bin/astropt embed tokens.npy --weights weights.safetensors --model-config config.json
 * </pre>
 */
@Command(name = "embed", description = {
        "Embed cutouts or .npy token files with an AstroPT model; one JSON line per input: "
                + "{\"id\", \"embedding\", \"surprise\", \"model\", \"tokens\"}.",
        "An input that cannot be read gets one line on stderr naming it; the other inputs are still embedded, "
                + "and the exit code is then 2."})
final class EmbedCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "INPUT",
            description = "Cutout files (FITS, PNG, JPEG, alerts) or .npy token files [tokens][values], as astropt tokenize writes.")
    List<Path> inputs;

    @Option(names = "--weights", required = true, paramLabel = "FILE|MODEL_DIR",
            description = "A model folder (config.json + weights.safetensors, as astropt train writes) or a .safetensors file.")
    Path weights;

    @Option(names = "--model-config", paramLabel = "config.json",
            description = "The model's config.json (default: the one beside the weights).")
    Path modelConfig;

    @Option(names = "--size", paramLabel = "PIXELS",
            description = "Crop side for cutouts (default: the settings' tokenizer.size, else the whole cutout).")
    Integer size;

    @Option(names = "--batch", defaultValue = "8", paramLabel = "B",
            description = "Inputs per forward pass (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--layer", defaultValue = "-1", paramLabel = "L",
            description = "Block whose output is averaged: -1 the last (AstroPT v1, default), n_layer/2 the middle (v2).")
    int layer;

    /** --config (the settings file for decoding and tokenizing) and --stamp. */
    @Mixin
    ConfigOptions options;

    @Spec
    CommandSpec spec;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Inputs read and embedded together: bounds memory for long input lists, keeps batches full. */
    private static final int CHUNK = 256;

    @Override
    public Integer call() throws IOException {
        if (batch < 1) throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String modelName = modelName();
        int failed = 0;
        Embedder.Settings embedding = new Embedder.Settings(batch, Embedder.Settings.DEFAULT.bucketLengths(), layer);
        try (AstroPTModel model = load(); Embedder embedder = new Embedder(model, embedding)) {
            ModelConfig c = model.config();
            // an alert model reads alert packets as science/template/difference triplets in its own patch size
            SequenceReader reader;
            if (c.inputLayout() == org.astropt.stream.core.token.InputLayout.ALERT_TRIPLET) {
                // Rubin packets find their writer schema in the settings' registry or folder, else in schemas/ beside them
                List<Path> folders = inputs.stream().map(p -> p.toAbsolutePath().getParent()).filter(java.util.Objects::nonNull).toList();
                reader = SequenceReader.alertTriplets(options.decoder(folders), new org.astropt.stream.core.token.AlertTripletTokenizer(
                        options.config().alertTripletTokenizerSettings().withPatchSize(c.patchSize())));
            } else {
                TokenizerSettings tokenizing = options.config().tokenizerSettings();
                if (size != null) tokenizing = tokenizing.withSize(size);
                reader = new SequenceReader(options.decoder(), new PatchTokenizer(tokenizing));
            }
            for (int from = 0; from < inputs.size(); from += CHUNK) {
                List<Sequence> good = new ArrayList<>();
                for (Path input : inputs.subList(from, Math.min(inputs.size(), from + CHUNK))) {
                    try {
                        good.add(fitting(reader.read(input), String.valueOf(input.getFileName()), c));
                    } catch (InvalidCutoutException e) {
                        err.println("astropt: " + e.getMessage());
                        err.flush();
                        failed++;
                    }
                }
                if (good.isEmpty()) continue;
                List<Embedder.Result> results = embedder.embed(good.stream().map(Sequence::tokens).toList());
                for (int i = 0; i < good.size(); i++) out.println(jsonLine(good.get(i), results.get(i), modelName));
                out.flush();
            }
        }
        return failed > 0 ? AstroptCli.EXIT_BAD_INPUT : 0;
    }

    /** The sequence if the model can read it; else an error naming the input and what the model reads. */
    private static Sequence fitting(Sequence s, String input, ModelConfig c) {
        if (s.tokenDim() != c.tokenDim()) {
            throw new InvalidCutoutException(input, "has tokens of " + s.tokenDim() + " values but the model reads "
                    + c.tokenDim() + " (" + c.patchSize() + "x" + c.patchSize() + " patches of " + c.nChan() + " bands)");
        }
        if (s.tokens().length > c.blockSize()) {
            throw new InvalidCutoutException(input, "has " + s.tokens().length + " tokens but the model reads at most "
                    + c.blockSize() + "; crop it with --size");
        }
        return s;
    }

    static String jsonLine(Sequence s, Embedder.Result r, String modelName) throws JsonProcessingException {
        ObjectNode line = JSON.createObjectNode();
        line.put("id", s.id());
        ArrayNode vector = line.putArray("embedding");
        for (float v : r.embedding()) vector.add(v);
        if (Float.isFinite(r.surprise())) line.put("surprise", r.surprise());
        else line.putNull("surprise"); // one token: nothing was predicted
        line.put("model", modelName);
        line.put("tokens", s.tokens().length);
        return JSON.writeValueAsString(line);
    }

    /** A model folder, or a weights file with the config beside it (or --model-config). */
    private AstroPTModel load() throws IOException {
        if (!Files.exists(weights)) {
            throw new InvalidCheckpointException(weights.toString(), "no such file or folder; --weights takes a model folder"
                    + " (config.json + weights.safetensors, as astropt train writes) or a .safetensors file");
        }
        if (Files.isDirectory(weights) && modelConfig == null) return Checkpoint.load(weights, AstroPTModel.defaultDevice());
        Path weightsFile = Files.isDirectory(weights) ? weights.resolve(Checkpoint.WEIGHTS_FILE) : weights;
        Path configFile = modelConfig != null ? modelConfig : weightsFile.toAbsolutePath().resolveSibling(Checkpoint.CONFIG_FILE);
        if (!Files.isRegularFile(configFile)) {
            throw new InvalidCheckpointException(configFile.toString(), "no such file; pass the model's config.json with --model-config");
        }
        if (!Files.isRegularFile(weightsFile)) throw new InvalidCheckpointException(weightsFile.toString(), "no such file");
        AstroPTModel model = AstroPTModel.create(ModelConfig.read(configFile), AstroPTModel.defaultDevice(), 0);
        try {
            Checkpoint.loadWeights(model.network(), weightsFile);
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** The model folder's name (the folder holding the weights file). */
    private String modelName() {
        Path dir = Files.isDirectory(weights) ? weights.toAbsolutePath().normalize()
                : weights.toAbsolutePath().normalize().getParent();
        return dir == null || dir.getFileName() == null ? String.valueOf(weights.getFileName()) : dir.getFileName().toString();
    }
}
