package org.astropt.stream.server;

import java.io.IOException;
import java.util.Optional;
import java.util.function.Supplier;
import org.astropt.stream.core.decode.CutoutDecoder;
import org.astropt.stream.core.heads.ScoreHeads;
import org.astropt.stream.core.image.CutoutImage;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Embedder;
import org.astropt.stream.core.model.InvalidCheckpointException;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.ModelFolder;
import org.astropt.stream.core.token.AlertTripletTokenizer;
import org.astropt.stream.core.token.InputLayout;
import org.astropt.stream.core.token.PatchTokenizer;
import org.astropt.stream.core.token.Tokens;
import org.astropt.stream.schemas.ImageFormat;
import org.astropt.stream.schemas.ModelVersion;

/**
 * POST /embed: an uploaded cutout (FITS, PNG, JPEG or an alert packet: its science, template and difference
 * stamps as an alert-triplet when the serving model reads that layout) through the same decoder and
 * tokenizer as the pipeline and the current PROMOTED model version. The model is loaded on the first
 * upload after a promotion (its weights' sha256 and architecture checked against the record first), with the
 * score heads shipped in its weights, and the previous one closed: an upload gets the same scores, hardest tokens
 * and flags as the pipeline would give it. One upload at a time: the server is not the place for bulk embedding.
 */
public final class UploadEmbedder implements AutoCloseable {

    /** The result of one upload; scored: the version's scores, hardest tokens and flags ({@link ScoreHeads#score}). */
    public record Result(String id, String modelName, long modelVersion, String modelKey, float[] embedding,
            Float surprise, int tokens, int gridSize, Thumbnail thumbnail, ScoreHeads.Scored scored) {

        /** The scores as the other answers show them ({@link ObjectView#scores}: null where not a number). */
        public java.util.Map<String, Double> scores() {
            return ObjectView.scores(scored.scores(), surprise == null ? Float.NaN : surprise);
        }
    }

    /** The upload's own preview, PNG bytes. */
    public record Thumbnail(byte[] png) {}

    private final Supplier<Optional<ModelVersion>> serving;
    private final CutoutDecoder decoder;
    private final PatchTokenizer tokenizer;
    private ModelVersion loadedVersion;
    private AstroPTModel model;
    private Embedder embedder;
    private ScoreHeads heads;

    /** @param serving the version that serves now (the server's view of the models topic) */
    public UploadEmbedder(Supplier<Optional<ModelVersion>> serving, CutoutDecoder decoder, PatchTokenizer tokenizer) {
        this.serving = serving;
        this.decoder = decoder;
        this.tokenizer = tokenizer;
    }

    /** Decodes, tokenizes and embeds; bad bytes are a {@link org.astropt.stream.core.InvalidCutoutException}. */
    public synchronized Result embed(String id, byte[] bytes) {
        CutoutImage image;
        Tokens tokens;
        ModelVersion v;
        if (!decoder.alertFields(bytes, id).isEmpty() && (v = current()) != null
                && model.config().inputLayout() == InputLayout.ALERT_TRIPLET) {
            // an alert packet for an alert model: its three stamps, as the pipeline's alert inputs make them
            image = decoder.decodeAlertTriplet(bytes, id);
            tokens = new AlertTripletTokenizer(tokenizer.settings().withPatchSize(model.config().patchSize())).tokenize(id, image);
        } else {
            image = decoder.decode(bytes, id, ImageFormat.AUTO, null, null);
            tokens = tokenizer.tokenize(id, image);
            v = current();
        }
        ModelConfig c = model.config();
        if (tokens.tokenDim() != c.tokenDim()) {
            throw new ApiException(422, id + ": has tokens of " + tokens.tokenDim() + " values but " + label(v) + " reads "
                    + c.tokenDim() + " (" + c.patchSize() + "x" + c.patchSize() + " patches of " + c.nChan() + " bands)", null);
        }
        if (tokens.tokenCount() > c.blockSize()) {
            throw new ApiException(422, id + ": has " + tokens.tokenCount() + " tokens but " + label(v) + " reads at most "
                    + c.blockSize() + "; send a smaller cutout", null);
        }
        float[][] rows = tokens.rows();
        Embedder.Result r = embedder.embed(rows);
        return new Result(id, v.getName(), v.getVersion(), v.getName() + ":" + v.getVersion(), r.embedding(),
                Float.isFinite(r.surprise()) ? r.surprise() : null, tokens.tokenCount(), tokens.gridSize(),
                new Thumbnail(Thumbnails.render(image)), heads.score(rows, r));
    }

    /** The promoted version, loaded; swaps when a newer one was promoted since the last upload. */
    private ModelVersion current() {
        ModelVersion promoted = serving.get().orElse(null);
        if (promoted == null) {
            throw new ApiException(503, "no PROMOTED model version on the models topic yet; promote one first (POST /models/{version}/promote)", null);
        }
        if (loadedVersion != null && loadedVersion.getVersion() == promoted.getVersion()
                && loadedVersion.getName().equals(promoted.getName())) {
            return loadedVersion;
        }
        AstroPTModel next = load(promoted);
        ScoreHeads nextHeads;
        try {
            nextHeads = heads(promoted);
        } catch (RuntimeException e) {
            next.close();
            throw e;
        }
        close();
        model = next;
        heads = nextHeads;
        embedder = new Embedder(model, new Embedder.Settings(1, Embedder.Settings.DEFAULT.bucketLengths(), -1));
        loadedVersion = promoted;
        return promoted;
    }

    /** Loads a version's folder after its checks ({@link ModelFolder#verify}: sha256 and architecture against the record). */
    static AstroPTModel load(ModelVersion v) {
        ModelFolder folder = ModelFolder.at(v.getWeightsUri()).orElseThrow(() -> new ApiException(503,
                label(v) + ": weights at " + v.getWeightsUri() + " are not on a local file system", null));
        try {
            folder.verify(v.getSha256(), v.getArchitecture());
            return folder.load(AstroPTModel.defaultDevice());
        } catch (InvalidCheckpointException e) {
            throw new ApiException(503, label(v) + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new ApiException(503, label(v) + ": cannot load: " + e.getMessage(), e);
        }
    }

    /** The version's score heads, from the weights {@link #load} just checked; {@link ScoreHeads#NONE} for a version without. */
    static ScoreHeads heads(ModelVersion v) {
        try {
            return ModelFolder.at(v.getWeightsUri()).orElseThrow().heads().orElse(ScoreHeads.NONE);
        } catch (InvalidCheckpointException e) {
            throw new ApiException(503, label(v) + ": " + e.getMessage(), e);
        }
    }

    private static String label(ModelVersion v) {
        return v.getName() + " v" + v.getVersion();
    }

    @Override
    public synchronized void close() {
        if (embedder != null) embedder.close();
        if (model != null) model.close();
        embedder = null;
        model = null;
        heads = null;
        loadedVersion = null;
    }
}
