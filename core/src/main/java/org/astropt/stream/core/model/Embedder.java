package org.astropt.stream.core.model;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.translate.TranslatorContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Turns many token sequences into embeddings and surprise scores: plain float arrays in, plain
 * float arrays out. Sequences are grouped by length, each group padded at the end to the smallest
 * bucket length that holds it and cut into batches. Padding is safe because attention is causal:
 * the outputs at a sequence's real positions never see the padding, and the means below skip it.
 *
 * <p>Threads: {@link #embed} may be called from many threads at once. Each thread gets its own DJL
 * Predictor (they are not thread-safe) over the shared weights; every batch runs in the
 * predictor's own NDManager, closed when the batch is done. Inside a call libtorch uses
 * ai.djl.pytorch.num_threads intra-op threads (default: one per core); with one calling thread
 * per core (Flink subtasks), set it to 1. Close the Embedder before its model.
 */
public final class Embedder implements AutoCloseable {

    /**
     * @param batchSize     sequences per forward pass; 8 bounds the 89M model at 1024 tokens to about 2 GB
     *                      (estimated: two [8, 12, 1024, 1024] float attention arrays live at a time)
     * @param bucketLengths lengths a batch is padded to (ascending): a few fixed shapes instead of one per length
     * @param layer         block whose output is averaged (0-based); -1 for the last (AstroPT v1),
     *                      n_layer / 2 for the middle block (AstroPT v2)
     */
    public record Settings(int batchSize, int[] bucketLengths, int layer) {

        /** Batches of 8, buckets at 16, 64, 256 and 1024 tokens (64, 128, 256, 512 px cutouts), last block. */
        public static final Settings DEFAULT = new Settings(8, new int[] {16, 64, 256, 1024}, -1);

        public Settings withLayer(int layer) { return new Settings(batchSize, bucketLengths, layer); }
    }

    /**
     * One sequence's result.
     *
     * @param embedding     the embedding [n_embd]: the chosen block's output averaged over the real tokens
     * @param surprise      the surprise score: the mean of tokenSurprise (NaN for one token)
     * @param tokenSurprise the Huber error of the prediction of each token 1..T-1 [T - 1]: index i is token i + 1
     *                      in sequence (spiral) order, so a high value points at the part of the cutout the model
     *                      found hardest to predict
     * @param maxPooled     the same block's output, the maximum over the real tokens [n_embd]: where the mean
     *                      dilutes one odd token among many, the maximum keeps it
     */
    public record Result(float[] embedding, float surprise, float[] tokenSurprise, float[] maxPooled) {}

    private final AstroPTModel model;
    private final Settings settings;
    private final int layer;
    private final ThreadLocal<Predictor<Batch, List<Result>>> predictor;
    private final ConcurrentLinkedQueue<Predictor<Batch, List<Result>>> opened = new ConcurrentLinkedQueue<>();

    public Embedder(AstroPTModel model, Settings settings) {
        int nLayer = model.config().nLayer();
        this.layer = settings.layer() < 0 ? nLayer - 1 : settings.layer();
        if (layer >= nLayer) {
            throw new IllegalArgumentException("layer " + settings.layer() + " does not exist: the model has " + nLayer + " blocks");
        }
        this.model = model;
        this.settings = settings;
        this.predictor = ThreadLocal.withInitial(() -> {
            Predictor<Batch, List<Result>> p = model.newPredictor(new Translator());
            opened.add(p);
            return p;
        });
    }

    /** Embeds one sequence float[T][D]. */
    public Result embed(float[][] sequence) {
        return embed(Collections.singletonList(sequence)).get(0);
    }

    /** Embeds sequences float[T][D]; results in the same order. */
    public List<Result> embed(List<float[][]> sequences) {
        int maxLen = model.config().blockSize();
        Map<Integer, List<Integer>> byBucket = new LinkedHashMap<>(); // bucket length -> sequence indices
        for (int i = 0; i < sequences.size(); i++) {
            float[][] s = sequences.get(i);
            if (s.length < 1 || s.length > maxLen || s[0].length != model.config().tokenDim()) {
                throw new IllegalArgumentException("sequence " + i + " has " + s.length + " tokens of "
                        + (s.length > 0 ? s[0].length : 0) + " values; this model reads 1 to " + maxLen + " tokens of "
                        + model.config().tokenDim());
            }
            byBucket.computeIfAbsent(bucket(s.length), k -> new ArrayList<>()).add(i);
        }
        Result[] results = new Result[sequences.size()];
        Predictor<Batch, List<Result>> p = predictor.get();
        AstroPTModel.disableGradientsOnThisThread();
        for (Map.Entry<Integer, List<Integer>> e : byBucket.entrySet()) {
            List<Integer> idx = e.getValue();
            for (int from = 0; from < idx.size(); from += settings.batchSize()) {
                List<Integer> part = idx.subList(from, Math.min(idx.size(), from + settings.batchSize()));
                List<float[][]> batch = part.stream().map(sequences::get).toList();
                try {
                    List<Result> out = p.predict(new Batch(batch, e.getKey()));
                    for (int j = 0; j < part.size(); j++) results[part.get(j)] = out.get(j);
                } catch (TranslateException ex) {
                    throw new IllegalStateException("embedding a batch of " + batch.size() + " failed", ex);
                }
            }
        }
        return Arrays.asList(results);
    }

    /** The smallest bucket length holding length, or the length itself beyond the last bucket. */
    int bucket(int length) {
        for (int b : settings.bucketLengths()) {
            if (b >= length && b <= model.config().blockSize()) return b;
        }
        return length;
    }

    @Override
    public void close() {
        for (Predictor<Batch, List<Result>> p; (p = opened.poll()) != null; ) p.close();
    }

    /** Sequences of at most paddedLength tokens, to be padded with zero tokens at the end. */
    private record Batch(List<float[][]> sequences, int paddedLength) {}

    /** Batch -> tokens [B, Tpad, D] -> network -> masked means -> float arrays. */
    private final class Translator implements NoBatchifyTranslator<Batch, List<Result>> {

        private static final String LENGTHS = "lengths";
        private static final String TOKENS = "tokens";

        @Override
        public NDList processInput(TranslatorContext ctx, Batch batch) {
            int[] lengths = batch.sequences().stream().mapToInt(s -> s.length).toArray();
            NDArray tokens = TokenBatch.stack(ctx.getNDManager(), batch.sequences(), batch.paddedLength()); // [B, Tpad, D]
            ctx.setAttachment(LENGTHS, lengths);
            ctx.setAttachment(TOKENS, tokens);
            return new NDList(tokens);
        }

        @Override
        public List<Result> processOutput(TranslatorContext ctx, NDList out) {
            int[] lengths = (int[]) ctx.getAttachment(LENGTHS);
            NDManager m = ctx.getNDManager();
            NDArray prediction = out.get(0);             // [B, T, D]
            NDArray hidden = out.get(1 + layer);         // [B, T, E]
            NDArray tokens = (NDArray) ctx.getAttachment(TOKENS); // [B, T, D]
            long t = hidden.getShape().get(1);
            NDArray len = m.create(lengths).reshape(-1, 1);                 // [B, 1]
            NDArray lenF = len.toType(DataType.FLOAT32, false);
            NDArray positions = m.arange((int) t).reshape(1, t);            // [1, T]
            NDArray real = positions.lt(len).toType(DataType.FLOAT32, false); // [B, T]: 1 on real tokens
            float[] emb = hidden.mul(real.expandDims(2)).sum(new int[] {1}).div(lenF).toFloatArray(); // [B, E]
            // padding gets -inf before the maximum, so only real tokens count
            float[] max = hidden.add(real.sub(m.create(1f)).mul(m.create(Float.MAX_VALUE)).expandDims(2)).max(new int[] {1}).toFloatArray();
            float[] surprise = new float[lengths.length];
            float[] perToken = new float[0];
            if (t > 1) {
                NDArray perPosition = SurpriseScore.perPosition(prediction, tokens); // [B, T - 1]
                NDArray scored = real.get(":, 1:");                                  // predictions of real tokens 1..len-1
                surprise = perPosition.mul(scored).sum(new int[] {1}).div(lenF.sub(m.create(1f)).reshape(-1)).toFloatArray();
                perToken = perPosition.toFloatArray();
            }
            int e = model.config().nEmbd();
            List<Result> results = new ArrayList<>(lengths.length);
            for (int i = 0; i < lengths.length; i++) {
                float[] tokenSurprise = t > 1 ? Arrays.copyOfRange(perToken, (int) (i * (t - 1)), (int) (i * (t - 1) + lengths[i] - 1)) : new float[0];
                results.add(new Result(Arrays.copyOfRange(emb, i * e, (i + 1) * e), lengths[i] > 1 ? surprise[i] : Float.NaN,
                        tokenSurprise, Arrays.copyOfRange(max, i * e, (i + 1) * e)));
            }
            return results;
        }
    }
}
