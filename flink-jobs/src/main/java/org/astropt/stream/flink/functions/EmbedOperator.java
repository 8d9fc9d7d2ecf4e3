package org.astropt.stream.flink.functions;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.operators.YieldingOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
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
 * <p>Inference thread: the forward pass runs on a thread of its own, so that while one micro-batch is in
 * the model the task thread goes on reading the next one from the network, decoding it, and writing the
 * records of the last one to the sinks. At most {@code inFlight} batches (a setting, 2 by default) are
 * out; one more waits for the oldest (backpressure); 0 runs the forward pass on the task thread. Results
 * are emitted on the task thread, in the order the batches were formed, as soon as the model is done (a
 * mail wakes the task thread; a timer is the fall-back). A barrier or the end of input waits for every
 * batch in flight, so the flush guarantee above still holds. Measured: docs/BENCHMARKS.md, streaming pipeline.
 *
 * <p>One output: Embedding records, and, each marked with its topic role ({@link KafkaBytes#role}), Flags,
 * REJECTED model records and dead letters, so that one transactional sink writes them all (one Kafka
 * transaction per checkpoint for the stage, and a flag commits together with its embedding).
 *
 * <p>Models: the serving model lives in a transient field, is loaded again from its pointer (kept in
 * union state) after a restore, and is swapped for a newer PROMOTED version between two batches. A new
 * version loads and is verified on a background thread ({@link ServingModel#load}); a version that fails
 * is refused with a log line and a REJECTED status record (role models, subtask 0 only) while
 * the old one keeps serving. The old model is closed after the swap, which frees its native memory.
 * Before any model is known, sequences wait (at most {@code maxWaiting}) or the initial model serves.
 *
 * <p>Withdrawals: a REJECTED or ROLLED_BACK record withdraws its version. A withdrawn version is never
 * loaded (a load in flight is discarded), and a version this operator refused is not refused twice. When
 * the serving version itself is withdrawn, the newest PROMOTED version below it that is not withdrawn
 * serves again, the one time versions go back; with none known, it keeps serving, with a warning, until a
 * newer version arrives (the trainer's rollback publishes one). The latest record of a version wins: a
 * PROMOTED record after a REJECTED one (a manual promotion) makes it eligible again.
 *
 * <p>Device: {@link ServingDevice} picks the GPU Flink assigned to the TaskManager, else the CPU.
 */
public final class EmbedOperator extends AbstractStreamOperator<KafkaBytes>
        implements TwoInputStreamOperator<TokenizedCutout, ModelPointer, KafkaBytes>, BoundedMultiInput,
        YieldingOperator<KafkaBytes> {

    /** How often a model load in flight is checked when no sequence arrives to check it. */
    static final long LOAD_POLL_MS = 20;
    /** PROMOTED versions remembered for a fall-back after a withdrawal. */
    static final int PROMOTED_HISTORY = 16;

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
    private transient ai.djl.Device device;
    /** The last PROMOTED pointers seen (not withdrawn), to fall back to when the serving one is withdrawn. */
    private transient TreeMap<Long, ModelPointer> promoted;
    /** Versions with a REJECTED or ROLLED_BACK record as their latest, or refused here. */
    private transient java.util.Set<Long> withdrawn;
    private transient ListState<Long> withdrawnState;
    private transient List<Long> restoredWithdrawn;
    /** Runs the forward passes, and closes a swapped-out model after the batches that still use it. */
    private transient ExecutorService inference;
    private transient ArrayDeque<InFlight> inFlight;
    private transient MailboxExecutor mailbox;

    /** A micro-batch in the model, or done and waiting to be emitted. */
    private record InFlight(EmbeddingOutput.Prepared batch, CompletableFuture<EmbeddingOutput.Forwarded> result) {}

    public EmbedOperator(EmbedSettings settings) {
        this.settings = settings;
    }

    /** The task's mailbox for this operator (Flink calls this when it creates the operator). */
    @Override
    public void setMailboxExecutor(MailboxExecutor mailboxExecutor) {
        this.mailbox = mailboxExecutor;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        var store = context.getOperatorStateStore();
        waitingState = store.getListState(new ListStateDescriptor<>("waiting-sequences", TokenizedCutout.class));
        modelState = store.getUnionListState(new ListStateDescriptor<>("model-pointers", ModelPointer.class));
        scoreState = store.getListState(new ListStateDescriptor<>("recent-surprise", float[].class));
        buffer = new ArrayList<>();
        withdrawnState = store.getUnionListState(new ListStateDescriptor<>("withdrawn-versions", Long.class));
        restoredModels = new ArrayList<>();
        restoredWithdrawn = new ArrayList<>();
        if (context.isRestored()) {
            for (TokenizedCutout t : waitingState.get()) buffer.add(t);
            for (ModelPointer p : modelState.get()) restoredModels.add(p);
            for (Long v : withdrawnState.get()) restoredWithdrawn.add(v);
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
        promoted = new TreeMap<>();
        withdrawn = new java.util.HashSet<>(restoredWithdrawn);
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        String deviceName = ServingDevice.choose(System.getProperty("astropt.device"),
                ServingDevice.indexes(getRuntimeContext().getExternalResourceInfos(ServingDevice.GPU_RESOURCE)),
                ai.djl.engine.Engine.getInstance().getGpuCount(), subtask);
        device = ai.djl.Device.fromName(deviceName);
        LOG.info("embed subtask {} runs its models on {}", subtask, device);
        loader = Executors.newSingleThreadExecutor(r -> daemon(r, "astropt-model-loader-" + subtask));
        inference = Executors.newSingleThreadExecutor(r -> daemon(r, "astropt-embed-" + subtask));
        inFlight = new ArrayDeque<>();
        // After a restore: the newest version that still loads (union state holds one copy per old subtask).
        restoredModels.sort(Comparator.comparingLong((ModelPointer p) -> p.version).reversed());
        long tried = Long.MIN_VALUE;
        for (ModelPointer p : restoredModels) {
            if (withdrawn.contains(p.version)) continue;
            promoted.putIfAbsent(p.version, p);
        }
        for (ModelPointer p : restoredModels) {
            if (p.version == tried || withdrawn.contains(p.version)) continue;
            tried = p.version;
            try {
                serving = ServingModel.load(p, settings.forwardBatchSize(), device);
                LOG.info("{} serves again after a restore", p.label());
                break;
            } catch (ModelRejectedException e) {
                LOG.warn("{} no longer loads after a restore: {}", p.label(), e.getMessage());
            }
        }
        if (serving == null && settings.initialModelDir() != null) {
            serving = ServingModel.load(initialPointer(), settings.forwardBatchSize(), device);
            LOG.info("initial model {} serves until a PROMOTED version arrives", settings.initialModelDir());
        }
        if (serving != null && restoredScores != null) threshold.restore(restoredScores);
        if (serving != null && !buffer.isEmpty()) {
            batchDeadline = now() + settings.batchDelayMs();
            armTimer(batchDeadline);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private ModelPointer initialPointer() {
        ModelPointer p = new ModelPointer();
        p.name = settings.modelName() == null ? "initial" : settings.modelName();
        p.version = 0;
        p.status = "PROMOTED";
        p.weightsUri = java.nio.file.Path.of(settings.initialModelDir()).toAbsolutePath()
                .resolve(org.astropt.stream.core.model.Checkpoint.WEIGHTS_FILE).toUri().toString();
        return p;
    }

    @Override
    public void processElement1(StreamRecord<TokenizedCutout> element) throws Exception {
        emitFinished();
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
        if (settings.modelName() != null && !settings.modelName().equals(p.name)) return;
        if ("REJECTED".equals(p.status) || "ROLLED_BACK".equals(p.status)) {
            withdraw(p);
            return;
        }
        if (!"PROMOTED".equals(p.status)) return; // a CANDIDATE never serves
        withdrawn.remove(p.version); // the latest record of a version wins
        remember(p);
        if (serving != null && !servingWithdrawn() && p.version <= serving.pointer().version) return; // versions only go up
        if (loadingPointer != null && p.version == loadingPointer.version) return;
        pending.put(p.version, p);
        startNextLoad();
    }

    private void remember(ModelPointer p) {
        promoted.put(p.version, p);
        while (promoted.size() > PROMOTED_HISTORY) promoted.pollFirstEntry();
    }

    private boolean servingWithdrawn() {
        return serving != null && withdrawn.contains(serving.pointer().version);
    }

    /** A REJECTED or ROLLED_BACK record: the version never (again) serves; see the class comment. */
    private void withdraw(ModelPointer p) {
        if (!withdrawn.add(p.version)) return;
        promoted.remove(p.version);
        pending.remove(p.version);
        if (serving == null || serving.pointer().version != p.version) return;
        LOG.warn("{}, serving, was withdrawn ({})", p.label(), p.status);
        fallBack(p);
        startNextLoad();
    }

    /** Queues the newest PROMOTED version below a withdrawn serving one, if any is known. */
    private void fallBack(ModelPointer withdrawnServing) {
        var back = promoted.lowerEntry(withdrawnServing.version);
        if (back == null) {
            LOG.warn("no older PROMOTED version is known: {} keeps serving until a newer one arrives", withdrawnServing.label());
            return;
        }
        LOG.warn("going back from {} to {}", withdrawnServing.label(), back.getValue().label());
        pending.put(back.getKey(), back.getValue());
    }

    /**
     * Tries the newest pending version. Older pending versions wait behind it: once a newer one serves
     * they are superseded and dropped; when it is refused, the next newest is tried, so every version
     * newer than the serving one is either served, superseded or refused with a status record.
     */
    private void startNextLoad() {
        if (serving != null && !servingWithdrawn()) pending.headMap(serving.pointer().version, true).clear(); // superseded
        if (loading != null || pending.isEmpty()) return;
        ModelPointer p = pending.pollLastEntry().getValue();
        loadingPointer = p;
        int forwardBatch = settings.forwardBatchSize();
        ai.djl.Device on = device;
        loading = loader.submit(() -> ServingModel.load(p, forwardBatch, on));
        armTimer(now() + LOAD_POLL_MS);
    }

    /** Takes a finished load: swaps to it (between two batches) or refuses it. */
    private void pollLoader() throws InterruptedException {
        if (loading == null || !loading.isDone()) return;
        ModelPointer p = loadingPointer;
        try {
            ServingModel next = loading.get();
            if (withdrawn.contains(p.version)) {
                LOG.info("{} loaded but was withdrawn meanwhile: discarded", p.label());
                next.close();
            } else if (serving != null && !servingWithdrawn() && p.version <= serving.pointer().version) {
                next.close(); // overtaken by a newer version while it loaded
            } else {
                ServingModel old = serving;
                serving = next;
                threshold = new SurpriseThreshold(settings.flagQuantile(), settings.flagWindow(), settings.flagMinScores());
                LOG.info("{} serves{}", p.label(), old == null ? "" : " in place of " + old.pointer().label());
                if (old != null) inference.execute(old::close); // after the batches in flight that still use it
            }
        } catch (ExecutionException e) {
            String reason = e.getCause() instanceof ModelRejectedException ? e.getCause().getMessage()
                    : p.label() + ": " + e.getCause();
            LOG.warn("model version refused, {} keeps serving: {}",
                    serving == null ? "no model" : serving.pointer().label(), reason);
            promoted.remove(p.version);
            if (withdrawn.add(p.version) && settings.publishStatus() && getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0 && p.record != null) {
                output(records.rejected(p, reason));
            }
            if (servingWithdrawn() && pending.isEmpty()) fallBack(serving.pointer());
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
                    + " version on the models topic first, or set pipeline.initial-model");
        }
        flush();
    }

    private void onTimer(long time) throws Exception {
        timerAt = Long.MAX_VALUE;
        emitFinished();
        if (!inFlight.isEmpty()) armTimer(now() + LOAD_POLL_MS);
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

    /** Sends the buffer to the model as one micro-batch; waits for the oldest batch first when {@code inFlight} are out. */
    private void flush() throws Exception {
        if (serving == null || buffer.isEmpty()) return;
        EmbeddingOutput.Prepared batch = records.prepare(serving, buffer, threshold);
        buffer = new ArrayList<>();
        for (KafkaBytes r : batch.rejected()) output(r);
        if (batch.isEmpty()) return;
        if (settings.inFlight() == 0) {
            emit(batch, EmbeddingOutput.forward(batch));
            return;
        }
        while (inFlight.size() >= settings.inFlight()) emitOldest();
        CompletableFuture<EmbeddingOutput.Forwarded> result =
                CompletableFuture.supplyAsync(() -> EmbeddingOutput.forward(batch), inference);
        inFlight.add(new InFlight(batch, result));
        result.whenComplete((r, e) -> wakeUp());
        armTimer(now() + LOAD_POLL_MS); // the fall-back when no mail can be sent
    }

    /** From the inference thread: asks the task thread to emit what is done. */
    private void wakeUp() {
        if (mailbox == null) return;
        try {
            mailbox.execute(this::emitFinished, "emit finished micro-batches");
        } catch (RuntimeException closed) {
            // the task is closing: close() or the failover takes care of what is left
        }
    }

    /** Emits the finished batches at the head of the queue, in order, without waiting. */
    private void emitFinished() throws Exception {
        while (!inFlight.isEmpty() && inFlight.peek().result().isDone()) emitOldest();
    }

    /** Waits for the oldest batch in flight and emits its records; a failed forward pass fails the task. */
    private void emitOldest() throws Exception {
        InFlight b = inFlight.poll();
        EmbeddingOutput.Forwarded forwarded;
        try {
            forwarded = b.result().get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        emit(b.batch(), forwarded);
    }

    /** A batch's records, in order, to the one output. */
    private void emit(EmbeddingOutput.Prepared batch, EmbeddingOutput.Forwarded forwarded) {
        for (KafkaBytes r : records.records(batch, forwarded)) output(r);
    }

    /** Flushes the buffer and waits until every batch is out: before a barrier and at the end of input. */
    private void flushAndWait() throws Exception {
        flush();
        while (!inFlight.isEmpty()) emitOldest();
    }

    private void output(KafkaBytes record) {
        output.collect(new StreamRecord<>(record));
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        pollLoader();
        flushAndWait();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        waitingState.update(new ArrayList<>(buffer));
        List<ModelPointer> models = new ArrayList<>();
        if (serving != null && serving.pointer().version > 0) models.add(serving.pointer());
        if (loadingPointer != null) models.add(loadingPointer);
        models.addAll(pending.values());
        for (ModelPointer p : promoted.values()) {
            if (models.stream().noneMatch(m -> m.version == p.version)) models.add(p);
        }
        modelState.update(models);
        withdrawnState.update(new ArrayList<>(withdrawn));
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
        flushAndWait();
    }

    @Override
    public void close() throws Exception {
        try {
            if (loader != null) loader.shutdownNow();
            boolean stopped = true;
            if (inference != null) {
                inference.shutdown(); // the batches in flight finish, swapped-out models close
                stopped = inference.awaitTermination(1, TimeUnit.MINUTES);
                if (!stopped) LOG.warn("the inference thread did not stop within a minute: its model is left open");
            }
            if (loading != null && loading.isDone() && !loading.isCancelled()) {
                try {
                    loading.get().close();
                } catch (ExecutionException ignored) {
                    // refused: nothing was left open
                }
            }
            if (serving != null && stopped) serving.close();
            serving = null;
        } finally {
            super.close();
        }
    }

    /** Whether a model version is loading on the background thread (tests wait for it to settle). */
    boolean loadInFlight() {
        return loading != null;
    }

    private long now() {
        return getProcessingTimeService().getCurrentProcessingTime();
    }
}
