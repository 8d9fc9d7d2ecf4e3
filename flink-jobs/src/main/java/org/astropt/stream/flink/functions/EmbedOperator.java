package org.astropt.stream.flink.functions;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.TreeMap;
import java.util.concurrent.Future;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.astropt.stream.flink.records.KafkaBytes;
import org.astropt.stream.flink.records.ModelPointer;
import org.astropt.stream.flink.records.TokenizedCutout;

/**
 * Stage two: token sequences (input 1) to embeddings, with model versions broadcast on input 2.
 *
 * <p>Micro-batches: sequences collect until {@code batchSize} of them, or {@code batchDelayMs} after
 * the first, then go through one batched forward pass. The batch is flushed before every checkpoint
 * barrier ({@link #prepareSnapshotPreBarrier}) and at the end of input, so a checkpoint never holds half
 * a batch; only sequences waiting for a first model are kept in state.
 *
 * <p>Models: the serving model lives in a transient field, is loaded again from its pointer (kept in
 * union state) after a restore, and is swapped for a newer PROMOTED version between two batches. A new
 * version loads and is verified on a background thread ({@link ServingModel#load}); a version that fails
 * is refused with a log line and a REJECTED status record ({@link #MODEL_STATUS}, subtask 0 only) while
 * the old one keeps serving. The old model is closed after the swap, which frees its native memory.
 * Before any model is known, sequences wait (at most {@code maxWaiting}) or the bootstrap model serves.
 */
public final class EmbedOperator extends AbstractStreamOperator<KafkaBytes>
        implements TwoInputStreamOperator<TokenizedCutout, ModelPointer, KafkaBytes>, BoundedMultiInput {

    public static final OutputTag<KafkaBytes> FLAGS = new OutputTag<>("flags") {};
    public static final OutputTag<KafkaBytes> MODEL_STATUS = new OutputTag<>("model-status") {};
    public static final OutputTag<KafkaBytes> DEAD_LETTERS = new OutputTag<>("embed-dead-letters") {};

    /** How often a model load in flight is checked when no sequence arrives to check it. */
    static final long LOAD_POLL_MS = 20;

    private final EmbedSettings settings;

    private transient ListState<TokenizedCutout> waitingState;
    private transient ListState<ModelPointer> modelState;
    private transient ListState<float[]> scoreState;
    private transient List<ModelPointer> restoredModels;
    private transient float[] restoredScores;

    private transient List<TokenizedCutout> buffer;
    private transient long batchDeadline;
    private transient long timerAt;
    private transient ServingModel serving;
    /** PROMOTED versions newer than the one serving, not yet tried; the newest is tried first. */
    private transient TreeMap<Long, ModelPointer> pending;
    private transient ModelPointer loadingPointer;
    private transient Future<ServingModel> loading;
    private transient ExecutorService loader;
    private transient SurpriseThreshold threshold;
    private transient EmbeddingOutput records;

    public EmbedOperator(EmbedSettings settings) {
        this.settings = settings;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        var store = context.getOperatorStateStore();
        waitingState = store.getListState(new ListStateDescriptor<>("waiting-sequences", TokenizedCutout.class));
        modelState = store.getUnionListState(new ListStateDescriptor<>("model-pointers", ModelPointer.class));
        scoreState = store.getListState(new ListStateDescriptor<>("recent-surprise", float[].class));
        buffer = new ArrayList<>();
        restoredModels = new ArrayList<>();
        if (context.isRestored()) {
            for (TokenizedCutout t : waitingState.get()) buffer.add(t);
            for (ModelPointer p : modelState.get()) restoredModels.add(p);
            for (float[] s : scoreState.get()) restoredScores = s;
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        records = new EmbeddingOutput();
        threshold = new SurpriseThreshold(settings.flagQuantile(), settings.flagWindow(), settings.flagMinScores());
        timerAt = Long.MAX_VALUE;
        pending = new TreeMap<>();
        loader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "astropt-model-loader-" + getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
            t.setDaemon(true);
            return t;
        });
        // After a restore: the newest version that still loads (union state holds one copy per old subtask).
        restoredModels.sort(Comparator.comparingLong((ModelPointer p) -> p.version).reversed());
        long tried = Long.MIN_VALUE;
        for (ModelPointer p : restoredModels) {
            if (p.version == tried) continue;
            tried = p.version;
            try {
                serving = ServingModel.load(p, settings.forwardBatchSize());
                LOG.info("{} serves again after a restore", p.label());
                break;
            } catch (ModelRejectedException e) {
                LOG.warn("{} no longer loads after a restore: {}", p.label(), e.getMessage());
            }
        }
        if (serving == null && settings.bootstrapModelDir() != null) {
            serving = ServingModel.load(bootstrapPointer(), settings.forwardBatchSize());
            LOG.info("bootstrap model {} serves until a PROMOTED version arrives", settings.bootstrapModelDir());
        }
        if (serving != null && restoredScores != null) threshold.restore(restoredScores);
        if (serving != null && !buffer.isEmpty()) {
            batchDeadline = now() + settings.batchDelayMs();
            armTimer(batchDeadline);
        }
    }

    private ModelPointer bootstrapPointer() {
        ModelPointer p = new ModelPointer();
        p.name = settings.modelName() == null ? "bootstrap" : settings.modelName();
        p.version = 0;
        p.status = "PROMOTED";
        p.weightsUri = java.nio.file.Path.of(settings.bootstrapModelDir()).toAbsolutePath()
                .resolve(org.astropt.stream.core.model.Checkpoint.WEIGHTS_FILE).toUri().toString();
        return p;
    }

    @Override
    public void processElement1(StreamRecord<TokenizedCutout> element) throws Exception {
        if (buffer.isEmpty()) batchDeadline = now() + settings.batchDelayMs();
        buffer.add(element.getValue());
        pollLoader();
        if (serving == null) {
            if (buffer.size() >= settings.maxWaiting()) awaitFirstModel();
            return;
        }
        if (buffer.size() >= settings.batchSize()) flush();
        else armTimer(batchDeadline);
    }

    @Override
    public void processElement2(StreamRecord<ModelPointer> element) {
        ModelPointer p = element.getValue();
        if (!"PROMOTED".equals(p.status)) return; // CANDIDATE, REJECTED, ROLLED_BACK never serve
        if (settings.modelName() != null && !settings.modelName().equals(p.name)) return;
        if (serving != null && p.version <= serving.pointer().version) return; // versions only go up
        if (loadingPointer != null && p.version == loadingPointer.version) return;
        pending.put(p.version, p);
        startNextLoad();
    }

    /**
     * Tries the newest pending version. Older pending versions wait behind it: once a newer one serves
     * they are superseded and dropped; when it is refused, the next newest is tried, so every version
     * newer than the serving one is either served, superseded or refused with a status record.
     */
    private void startNextLoad() {
        if (serving != null) pending.headMap(serving.pointer().version, true).clear(); // superseded
        if (loading != null || pending.isEmpty()) return;
        ModelPointer p = pending.pollLastEntry().getValue();
        loadingPointer = p;
        int forwardBatch = settings.forwardBatchSize();
        loading = loader.submit(() -> ServingModel.load(p, forwardBatch));
        armTimer(now() + LOAD_POLL_MS);
    }

    /** Takes a finished load: swaps to it (between two batches) or refuses it. */
    private void pollLoader() throws InterruptedException {
        if (loading == null || !loading.isDone()) return;
        ModelPointer p = loadingPointer;
        try {
            ServingModel next = loading.get();
            ServingModel old = serving;
            serving = next;
            threshold = new SurpriseThreshold(settings.flagQuantile(), settings.flagWindow(), settings.flagMinScores());
            LOG.info("{} serves{}", p.label(), old == null ? "" : " in place of " + old.pointer().label());
            if (old != null) old.close();
        } catch (ExecutionException e) {
            String reason = e.getCause() instanceof ModelRejectedException ? e.getCause().getMessage()
                    : p.label() + ": " + e.getCause();
            LOG.warn("model version refused, {} keeps serving: {}",
                    serving == null ? "no model" : serving.pointer().label(), reason);
            if (settings.publishStatus() && getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0 && p.record != null) {
                output(MODEL_STATUS, records.rejected(p, reason));
            }
        } finally {
            loading = null;
            loadingPointer = null;
        }
        startNextLoad();
        if (serving != null && !buffer.isEmpty()) armTimer(batchDeadline);
    }

    /** Bounded waiting: with maxWaiting sequences held and a load in flight, wait for it; with none, fail loudly. */
    private void awaitFirstModel() throws Exception {
        if (loading != null) {
            try {
                loading.get();
            } catch (ExecutionException ignored) {
                // pollLoader reports it
            }
            pollLoader();
        }
        if (serving == null) {
            throw new IllegalStateException(buffer.size() + " token sequences wait and no model is known: publish a PROMOTED"
                    + " version on the models topic first, or set pipeline.bootstrap-model");
        }
        flush();
    }

    private void onTimer(long time) throws Exception {
        timerAt = Long.MAX_VALUE;
        pollLoader();
        if (serving != null && !buffer.isEmpty() && now() >= batchDeadline) flush();
        if (loading != null) armTimer(now() + LOAD_POLL_MS);
        if (serving != null && !buffer.isEmpty()) armTimer(batchDeadline);
    }

    private void armTimer(long at) {
        if (at >= timerAt) return;
        timerAt = at;
        getProcessingTimeService().registerTimer(at, this::onTimer);
    }

    /** One batched forward pass over the buffer. */
    private void flush() {
        if (serving == null || buffer.isEmpty()) return;
        for (EmbeddingOutput.Emitted e : records.embed(serving, buffer, threshold)) output(e.tag(), e.record());
        buffer.clear();
    }

    private void output(OutputTag<KafkaBytes> tag, KafkaBytes record) {
        if (tag == null) output.collect(new StreamRecord<>(record));
        else output.collect(tag, new StreamRecord<>(record));
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        pollLoader();
        flush();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        waitingState.update(new ArrayList<>(buffer));
        List<ModelPointer> models = new ArrayList<>();
        if (serving != null && serving.pointer().version > 0) models.add(serving.pointer());
        if (loadingPointer != null) models.add(loadingPointer);
        models.addAll(pending.values());
        modelState.update(models);
        scoreState.update(List.of(threshold.scores()));
    }

    @Override
    public void endInput(int inputId) throws Exception {
        if (inputId != 1) return;
        if (serving == null && loading != null) awaitFirstModel();
        pollLoader();
        if (serving == null && !buffer.isEmpty()) {
            throw new IllegalStateException("the input ended with " + buffer.size() + " token sequences and no model to embed them");
        }
        flush();
    }

    @Override
    public void close() throws Exception {
        try {
            if (loader != null) loader.shutdownNow();
            if (loading != null && loading.isDone() && !loading.isCancelled()) {
                try {
                    loading.get().close();
                } catch (ExecutionException ignored) {
                    // refused: nothing was left open
                }
            }
            if (serving != null) serving.close();
            serving = null;
        } finally {
            super.close();
        }
    }

    private long now() {
        return getProcessingTimeService().getCurrentProcessingTime();
    }
}
