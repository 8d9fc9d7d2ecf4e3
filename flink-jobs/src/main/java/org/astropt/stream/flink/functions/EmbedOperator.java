package org.astropt.stream.flink.functions;

import java.util.ArrayList;
import java.util.List;
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
 * Stage two: token sequences (input 1) to embeddings, with model versions broadcast on input 2. The operator
 * keeps the timers and the state and wires the parts: {@link ServingVersions} decides which model version
 * serves, {@link VersionLoader} loads and verifies one in the background, {@link InferenceQueue} runs the
 * forward passes ({@code inFlight} micro-batches at a time; 0 on the task thread), {@link MicroBatchEmbedder}
 * turns a micro-batch into records.
 *
 * <p>Sequences collect until {@code batchSize} of them, or {@code batchDelayMs} after the first. The batch is
 * flushed, and every batch in flight emitted, before each checkpoint barrier and at the end of input, so a
 * checkpoint never holds half a batch; only sequences waiting for a first model (at most {@code maxWaiting})
 * are kept in state. A new version is swapped in between two batches; the old one closes after the batches
 * that still use it. The serving model lives in a transient field and loads again from the pointers in union
 * state after a restore. One output: Embeddings and, each marked with its topic role ({@link KafkaBytes#role}),
 * Flags, REJECTED model records (subtask 0) and dead letters, so one transactional sink writes them all and
 * a flag commits with its embedding. Scores and flags come from the serving version's score heads, which load
 * with it, so they need no state here (the "recent-surprise" state of checkpoints taken before the heads, the old
 * surprise-quantile flag's window, is left unread). docs/PIPELINE.md has the rules.
 */
public final class EmbedOperator extends AbstractStreamOperator<KafkaBytes>
        implements TwoInputStreamOperator<TokenizedCutout, ModelPointer, KafkaBytes>, BoundedMultiInput,
        YieldingOperator<KafkaBytes> {

    /** How often a model load or a batch in flight is checked when nothing else wakes the task thread. */
    static final long LOAD_POLL_MS = 20;
    /** The key of the versions served with no {@code pipeline.model-name} set: every name's versions in one line. */
    static final String ANY_NAME = "*";

    private final EmbedSettings settings;

    private transient ListState<TokenizedCutout> waitingState;
    private transient ListState<ModelPointer> modelState;
    private transient ListState<Long> withdrawnState;
    private transient ListState<Long> refusedState;
    private transient ServingVersions.Snapshot restored;

    private transient List<TokenizedCutout> buffer;
    private transient long batchDeadline;
    private transient long timerAt;
    private transient ServingVersions versions;
    private transient ServingModel serving;
    private transient VersionLoader loader;
    private transient InferenceQueue<MicroBatchEmbedder.Prepared, MicroBatchEmbedder.Forwarded> inference;
    private transient MicroBatchEmbedder embedder;
    private transient MailboxExecutor mailbox;
    private transient boolean sequencesEnded;
    private transient boolean modelsEnded;

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
        withdrawnState = store.getUnionListState(new ListStateDescriptor<>("withdrawn-versions", Long.class));
        refusedState = store.getUnionListState(new ListStateDescriptor<>("refused-versions", Long.class));
        buffer = new ArrayList<>();
        restored = new ServingVersions.Snapshot(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        if (context.isRestored()) {
            waitingState.get().forEach(buffer::add);
            modelState.get().forEach(restored.pointers()::add);
            withdrawnState.get().forEach(restored.withdrawn()::add);
            refusedState.get().forEach(restored.refused()::add);
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        embedder = new MicroBatchEmbedder();
        timerAt = Long.MAX_VALUE;
        versions = new ServingVersions();
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        ai.djl.Device device = ai.djl.Device.fromName(ServingDevice.choose(System.getProperty("astropt.device"),
                ServingDevice.indexes(getRuntimeContext().getExternalResourceInfos(ServingDevice.GPU_RESOURCE)),
                ai.djl.engine.Engine.getInstance().getGpuCount(), subtask));
        LOG.info("embed subtask {} runs its models on {}", subtask, device);
        loader = new VersionLoader(settings.forwardBatchSize(), device, "astropt-model-loader-" + subtask);
        inference = new InferenceQueue<>(settings.inFlight(), "astropt-embed-" + subtask, MicroBatchEmbedder::forward,
                (batch, forwarded) -> embedder.records(batch, forwarded).forEach(this::output), this::wakeUp);
        ServingModel restoredModel = loader.loadFirst(versions.restore(line(), restored));
        if (restoredModel != null) serve(restoredModel);
        if (serving == null && settings.initialModelDir() != null) {
            serve(loader.loadNow(VersionLoader.initial(settings.modelName() == null ? "initial" : settings.modelName(),
                    settings.initialModelDir())));
            LOG.info("initial model {} serves until a PROMOTED version arrives", settings.initialModelDir());
        }
        if (serving != null && !buffer.isEmpty()) {
            batchDeadline = now() + settings.batchDelayMs();
            armTimer(batchDeadline);
        }
    }

    /** The versions this operator serves: one model name, or every name in one line when none is set. */
    private String line() {
        return settings.modelName() == null ? ANY_NAME : settings.modelName();
    }

    @Override
    public void processElement1(StreamRecord<TokenizedCutout> element) throws Exception {
        inference.emitFinished();
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
        versions.receive(line(), p);
        startNextLoad();
    }

    /** Starts loading the version {@link ServingVersions} names next, if any. */
    private void startNextLoad() {
        ModelPointer p = versions.nextLoad(line());
        if (p == null) return;
        loader.start(p);
        armTimer(now() + LOAD_POLL_MS);
    }

    /** Takes a finished load: swaps to it (between two batches), discards it, or refuses it. */
    private void pollLoader() throws InterruptedException {
        VersionLoader.Outcome done = loader.finished();
        if (done == null) return;
        ModelPointer p = done.pointer();
        if (done.model() != null) {
            if (!versions.loaded(line(), p)) {
                done.model().close();
            } else {
                LOG.info("{} serves{}", p.label(), serving == null ? "" : " in place of " + serving.pointer().label());
                serve(done.model());
            }
        } else {
            LOG.warn("model version refused, {} keeps serving: {}", serving == null ? "no model" : serving.pointer().label(), done.refusal());
            boolean first = versions.refused(line(), p);
            if (first && settings.publishStatus() && getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0 && p.record != null) {
                output(embedder.rejected(p, done.refusal()));
            }
        }
        startNextLoad();
        if (serving != null && !buffer.isEmpty()) armTimer(batchDeadline);
    }

    /** Swaps a model in (its score heads with it); the old model closes after the batches in flight that use it. */
    private void serve(ServingModel next) {
        ServingModel old = serving;
        serving = next;
        versions.served(line(), next.pointer());
        if (old != null) inference.afterInFlight(old::close);
    }

    /** Bounded waiting: with maxWaiting sequences held and a load in flight, wait for it; with none, fail loudly. */
    private void awaitFirstModel() throws Exception {
        loader.await();
        pollLoader();
        if (serving == null) {
            throw new IllegalStateException(buffer.size() + " token sequences wait and no model is known: publish a PROMOTED"
                    + " version on the models topic first, or set pipeline.initial-model");
        }
        flush();
    }

    private void onTimer(long time) throws Exception {
        timerAt = Long.MAX_VALUE;
        inference.emitFinished();
        if (!inference.isEmpty()) armTimer(now() + LOAD_POLL_MS);
        pollLoader();
        if (serving != null && !buffer.isEmpty() && now() >= batchDeadline) flush();
        if (loader.inFlight() != null) armTimer(now() + LOAD_POLL_MS);
        if (serving != null && !buffer.isEmpty()) armTimer(batchDeadline);
    }

    private void armTimer(long at) {
        if (at >= timerAt) return;
        timerAt = at;
        getProcessingTimeService().registerTimer(at, this::onTimer);
    }

    /** Sends the buffer to the inference queue as one micro-batch. */
    private void flush() throws Exception {
        if (serving == null || buffer.isEmpty()) return;
        MicroBatchEmbedder.Prepared batch = embedder.prepare(serving, buffer);
        buffer = new ArrayList<>();
        batch.rejected().forEach(this::output);
        if (batch.isEmpty()) return;
        inference.submit(batch);
        if (!inference.isEmpty()) armTimer(now() + LOAD_POLL_MS); // the fall-back when no mail can be sent
    }

    /** From the inference thread: asks the task thread to emit what is done. */
    private void wakeUp() {
        if (mailbox == null) return;
        try {
            mailbox.execute(inference::emitFinished, "emit finished micro-batches");
        } catch (RuntimeException closed) {
            // the task is closing: close() or the failover takes care of what is left
        }
    }

    private void output(KafkaBytes record) {
        output.collect(new StreamRecord<>(record));
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        pollLoader();
        flush();
        inference.awaitAll();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        waitingState.update(new ArrayList<>(buffer));
        ServingVersions.Snapshot s = versions.snapshot(line());
        modelState.update(s.pointers());
        withdrawnState.update(s.withdrawn());
        refusedState.update(s.refused());
    }

    /**
     * The end of the sequences flushes everything. When the sequences end before any model is known and the
     * models input is bounded too (a backfill's one pinned record), the decision waits for the end of the models.
     */
    @Override
    public void endInput(int inputId) throws Exception {
        if (inputId == 1) sequencesEnded = true;
        else modelsEnded = true;
        if (!sequencesEnded) return;
        if (serving == null && loader.inFlight() == null && !modelsEnded) return; // a model may still come on input 2
        if (serving == null && loader.inFlight() != null) awaitFirstModel();
        pollLoader();
        if (serving == null && !buffer.isEmpty()) {
            throw new IllegalStateException("the input ended with " + buffer.size() + " token sequences and no model to embed them");
        }
        flush();
        inference.awaitAll();
    }

    @Override
    public void close() throws Exception {
        try {
            if (loader != null) loader.close();
            boolean stopped = inference == null || inference.shutDown(1, TimeUnit.MINUTES); // batches in flight finish, old models close
            if (!stopped) LOG.warn("the inference thread did not stop within a minute: its model is left open");
            if (serving != null && stopped) serving.close();
            serving = null;
        } finally {
            super.close();
        }
    }

    /** The model load in flight, or null (tests wait on it, then advance processing time to let the operator take it). */
    Future<ServingModel> loadInFlight() {
        return loader.inFlight();
    }

    private long now() {
        return getProcessingTimeService().getCurrentProcessingTime();
    }
}
