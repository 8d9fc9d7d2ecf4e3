package org.astropt.stream.flink.functions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
import org.astropt.stream.flink.records.TokenSequenceFields;

/**
 * Stage two: token sequences (input 1) to embeddings, with model versions broadcast on input 2. Several models
 * serve at once, the PROMOTED version of each model name (or of the names {@code pipeline.model-names} lists),
 * and each sequence goes to the model that reads its layout and token shape ({@link ServedModels}). The operator
 * keeps the timers and the state and wires the parts: {@link ServingVersions} decides which version of each name
 * serves, {@link VersionLoader} loads and verifies one version at a time in the background, {@link InferenceQueue}
 * runs the forward passes ({@code inFlight} micro-batches at a time; 0 on the task thread), {@link MicroBatchEmbedder}
 * turns a micro-batch into records.
 *
 * <p>Micro-batches are per model: a model's sequences collect until {@code batchSize} of them, or {@code batchDelayMs}
 * after the first. Every batch is flushed, and every batch in flight emitted, before each checkpoint barrier and at the
 * end of input, so a checkpoint never holds half a batch. A sequence no serving model reads waits while no model
 * serves, a version is loading, or a name {@code pipeline.model-names} lists has no version yet (at most
 * {@code maxWaiting} held, kept in state); otherwise, or when that bound is
 * reached and the loads in flight are done, it is dead-lettered with a one-line reason naming its layout and the
 * models served (with no model at all, the operator fails as before). A new version of a name is swapped in between two of its batches; the old one closes after
 * the batches that still use it; other names are untouched. The serving models live in a transient field and load
 * again from the pointers in union state (which name their model) after a restore; withdrawn and refused versions are
 * kept as {@code name:version} (state written before several models, bare version numbers, applies to every name). One output: Embeddings and, each marked with its topic role ({@link KafkaBytes#role}),
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

    private final EmbedSettings settings;

    private transient ListState<TokenizedCutout> waitingState;
    private transient ListState<ModelPointer> modelState;
    private transient ListState<Long> withdrawnState;
    private transient ListState<Long> refusedState;
    private transient ListState<String> withdrawnByName;
    private transient ListState<String> refusedByName;
    private transient List<ModelPointer> restoredPointers;
    private transient Map<String, ServingVersions.Snapshot> restored;

    /** Sequences no serving model reads yet (a model may still load). */
    private transient List<TokenizedCutout> waiting;
    /** Each serving name's micro-batch being formed, and when it is due. */
    private transient Map<String, List<TokenizedCutout>> batches;
    private transient Map<String, Long> deadlines;
    private transient long timerAt;
    private transient ServingVersions versions;
    private transient ServedModels served;
    private transient VersionLoader loader;
    private transient InferenceQueue<MicroBatchEmbedder.Prepared, MicroBatchEmbedder.Forwarded> inference;
    private transient MicroBatchEmbedder embedder;
    private transient TokenSequenceFields.Reader sequences;
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
        withdrawnByName = store.getUnionListState(new ListStateDescriptor<>("withdrawn-model-versions", String.class));
        refusedByName = store.getUnionListState(new ListStateDescriptor<>("refused-model-versions", String.class));
        waiting = new ArrayList<>();
        restored = new TreeMap<>();
        if (!context.isRestored()) return;
        waitingState.get().forEach(waiting::add);
        for (ModelPointer p : modelState.get()) {
            if (settings.serves(p.name)) snapshotOf(p.name).pointers().add(p);
        }
        for (Long v : withdrawnState.get()) restored.values().forEach(s -> s.withdrawn().add(v)); // written with one model line
        for (Long v : refusedState.get()) restored.values().forEach(s -> s.refused().add(v));
        for (String key : withdrawnByName.get()) snapshotOf(nameOf(key)).withdrawn().add(versionOf(key));
        for (String key : refusedByName.get()) snapshotOf(nameOf(key)).refused().add(versionOf(key));
    }

    private ServingVersions.Snapshot snapshotOf(String name) {
        return restored.computeIfAbsent(name, n -> new ServingVersions.Snapshot(new ArrayList<>(), new ArrayList<>(), new ArrayList<>()));
    }

    private static String nameOf(String key) { return key.substring(0, key.lastIndexOf(':')); }
    private static long versionOf(String key) { return Long.parseLong(key.substring(key.lastIndexOf(':') + 1)); }

    @Override
    public void open() throws Exception {
        super.open();
        embedder = new MicroBatchEmbedder();
        sequences = new TokenSequenceFields.Reader();
        batches = new TreeMap<>();
        deadlines = new TreeMap<>();
        timerAt = Long.MAX_VALUE;
        versions = new ServingVersions();
        served = new ServedModels();
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        ai.djl.Device device = ai.djl.Device.fromName(ServingDevice.choose(System.getProperty("astropt.device"),
                ServingDevice.indexes(getRuntimeContext().getExternalResourceInfos(ServingDevice.GPU_RESOURCE)),
                ai.djl.engine.Engine.getInstance().getGpuCount(), subtask));
        LOG.info("embed subtask {} runs its models on {}", subtask, device);
        loader = new VersionLoader(settings.forwardBatchSize(), device, "astropt-model-loader-" + subtask);
        inference = new InferenceQueue<>(settings.inFlight(), "astropt-embed-" + subtask, MicroBatchEmbedder::forward,
                (batch, forwarded) -> embedder.records(batch, forwarded).forEach(this::output), this::wakeUp);
        for (var e : restored.entrySet()) {
            ServingModel m = loader.loadFirst(versions.restore(e.getKey(), e.getValue()));
            if (m != null) serve(m);
        }
        if (served.isEmpty() && settings.initialModelDir() != null) {
            List<String> names = settings.modelNames();
            serve(loader.loadNow(VersionLoader.initial(names.size() == 1 ? names.get(0) : "initial", settings.initialModelDir())));
            LOG.info("initial model {} serves until a PROMOTED version arrives", settings.initialModelDir());
        }
        if (!waiting.isEmpty()) armTimer(now() + LOAD_POLL_MS); // restored sequences are routed on the task's first timer
    }

    @Override
    public void processElement1(StreamRecord<TokenizedCutout> element) throws Exception {
        inference.emitFinished();
        pollLoader();
        route(element.getValue(), true);
        if (waiting.size() >= settings.maxWaiting()) awaitModels();
    }

    /**
     * Sends a sequence to its model's micro-batch; one no serving model reads waits (when {@code mayWait}, while no
     * model serves or a version loads) or is dead-lettered.
     */
    private void route(TokenizedCutout t, boolean mayWait) throws Exception {
        ServedModels.Shape shape;
        try {
            shape = shape(t);
        } catch (RuntimeException e) {
            output(embedder.unread(t, t.id + ": the token sequence does not decode: " + e.getMessage()));
            return;
        }
        ServingModel m = served.route(shape);
        if (m == null) {
            if (served.isEmpty() || (mayWait && (versions.loadsWaiting() || loader.inFlight() != null || namedModelMissing()))) {
                waiting.add(t); // with no model at all, awaitModels() and endInput() fail loudly
                return;
            }
            m = served.only(); // one model: its own check dead-letters the sequence, naming it
            if (m == null) {
                output(embedder.unread(t, served.unread(t.id, shape)));
                return;
            }
        }
        String name = m.pointer().name;
        List<TokenizedCutout> batch = batches.computeIfAbsent(name, n -> new ArrayList<>());
        if (batch.isEmpty()) deadlines.put(name, now() + settings.batchDelayMs());
        batch.add(t);
        if (batch.size() >= settings.batchSize()) flush(name);
        else armTimer(deadlines.get(name));
    }

    /**
     * Whether a name pipeline.model-names lists has no version serving yet: its first version (e.g. the galaxy model a
     * demo trains from the stream while the alert starter already serves) may be the one that reads a sequence.
     */
    private boolean namedModelMissing() {
        for (String name : settings.modelNames()) if (!served.serves(name)) return true;
        return false;
    }

    /** The layout and token shape of a sequence: from the tokenize stage's fields, or read from its bytes (a backfill's token records). */
    private ServedModels.Shape shape(TokenizedCutout t) {
        if (t.layout != null) return new ServedModels.Shape(t.layout, t.tokenDim, t.tokenCount);
        TokenSequenceFields s = sequences.read(t.sequence, t.id);
        return new ServedModels.Shape(s.layout(), s.tokenDim(), s.tokenCount());
    }

    @Override
    public void processElement2(StreamRecord<ModelPointer> element) {
        ModelPointer p = element.getValue();
        if (!settings.serves(p.name)) return;
        versions.receive(p.name, p);
        startNextLoad();
    }

    /** Starts loading the next version {@link ServingVersions} names for any model name, if the loader is free. */
    private void startNextLoad() {
        if (loader.inFlight() != null) return;
        for (String name : versions.names()) {
            ModelPointer p = versions.nextLoad(name);
            if (p == null) continue;
            loader.start(p);
            armTimer(now() + LOAD_POLL_MS);
            return;
        }
    }

    /** Takes a finished load: swaps it in for its name (between two batches), discards it, or refuses it. */
    private void pollLoader() throws Exception {
        VersionLoader.Outcome done = loader.finished();
        if (done == null) return;
        ModelPointer p = done.pointer();
        if (done.model() != null) {
            if (!versions.loaded(p.name, p)) {
                done.model().close();
            } else {
                ServingModel old = served.get(p.name);
                LOG.info("{} serves{}", p.label(), old == null ? "" : " in place of " + old.pointer().label());
                serve(done.model());
            }
        } else {
            ModelPointer keeps = versions.serving(p.name);
            LOG.warn("model version refused, {} keeps serving: {}", keeps == null ? "no version of " + p.name : keeps.label(), done.refusal());
            boolean first = versions.refused(p.name, p);
            if (first && settings.publishStatus() && getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0 && p.record != null) {
                output(embedder.rejected(p, done.refusal()));
            }
        }
        startNextLoad();
        rerouteWaiting(true); // those no model reads wait while a version loads, else are dead-lettered
    }

    /** Routes the waiting sequences again, in order (a model may serve them now). */
    private void rerouteWaiting(boolean mayWait) throws Exception {
        if (waiting.isEmpty() || served.isEmpty()) return;
        List<TokenizedCutout> held = waiting;
        waiting = new ArrayList<>();
        for (TokenizedCutout t : held) route(t, mayWait);
    }

    /** Swaps a model in for its name (its score heads with it); the models it replaces close after the batches in flight that use them. */
    private void serve(ServingModel next) throws Exception {
        versions.served(next.pointer().name, next.pointer());
        for (ServingModel old : served.serve(next)) {
            if (!old.pointer().name.equals(next.pointer().name)) {
                flush(old.pointer().name); // a retired initial model's last batch
                LOG.info("{} serves; the initial model {} retires", next.pointer().label(), old.pointer().label());
            }
            inference.afterInFlight(old::close);
        }
    }

    /** Bounded waiting: with maxWaiting sequences held, waits for the loads in flight; then what no model reads is dead-lettered (or, with no model at all, the operator fails loudly). */
    private void awaitModels() throws Exception {
        awaitLoads();
        if (served.isEmpty()) {
            throw new IllegalStateException(waiting.size() + " token sequences wait and no model is known: publish a PROMOTED"
                    + " version on the models topic first, or set pipeline.initial-model");
        }
        rerouteWaiting(false);
    }

    /** Waits for the loads in flight, and those they start, to end, and takes each. */
    private void awaitLoads() throws Exception {
        while (loader.inFlight() != null) {
            loader.await();
            pollLoader();
        }
    }

    private void onTimer(long time) throws Exception {
        timerAt = Long.MAX_VALUE;
        inference.emitFinished();
        if (!inference.isEmpty()) armTimer(now() + LOAD_POLL_MS);
        pollLoader();
        rerouteWaiting(true);
        for (String name : List.copyOf(batches.keySet())) {
            if (!batches.get(name).isEmpty() && now() >= deadlines.get(name)) flush(name);
        }
        if (loader.inFlight() != null) armTimer(now() + LOAD_POLL_MS);
        for (var e : batches.entrySet()) if (!e.getValue().isEmpty()) armTimer(deadlines.get(e.getKey()));
    }

    private void armTimer(long at) {
        if (at >= timerAt) return;
        timerAt = at;
        getProcessingTimeService().registerTimer(at, this::onTimer);
    }

    private void flushAll() throws Exception {
        for (String name : List.copyOf(batches.keySet())) flush(name);
    }

    /** Sends one model's batch to the inference queue as one micro-batch (with the version serving that name now). */
    private void flush(String name) throws Exception {
        List<TokenizedCutout> batch = batches.get(name);
        if (batch == null || batch.isEmpty()) return;
        ServingModel model = served.get(name);
        batches.put(name, new ArrayList<>());
        if (model == null) { // its initial model retired: route again
            for (TokenizedCutout t : batch) route(t, true);
            return;
        }
        MicroBatchEmbedder.Prepared prepared = embedder.prepare(model, batch);
        prepared.rejected().forEach(this::output);
        if (prepared.isEmpty()) return;
        inference.submit(prepared);
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
        flushAll();
        inference.awaitAll();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<TokenizedCutout> held = new ArrayList<>(waiting);
        batches.values().forEach(held::addAll);
        waitingState.update(held);
        List<ModelPointer> pointers = new ArrayList<>();
        List<String> withdrawn = new ArrayList<>(), refused = new ArrayList<>();
        for (String name : versions.names()) {
            ServingVersions.Snapshot s = versions.snapshot(name);
            pointers.addAll(s.pointers());
            s.withdrawn().forEach(v -> withdrawn.add(ModelPointer.topicKey(name, v)));
            s.refused().forEach(v -> refused.add(ModelPointer.topicKey(name, v)));
        }
        modelState.update(pointers);
        withdrawnState.update(List.of());
        refusedState.update(List.of());
        withdrawnByName.update(withdrawn);
        refusedByName.update(refused);
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
        if (served.isEmpty() && loader.inFlight() == null && !modelsEnded) return; // a model may still come on input 2
        if (!waiting.isEmpty() || served.isEmpty()) awaitLoads();
        pollLoader();
        if (served.isEmpty() && !waiting.isEmpty()) {
            throw new IllegalStateException("the input ended with " + waiting.size() + " token sequences and no model to embed them");
        }
        rerouteWaiting(false);
        flushAll();
        inference.awaitAll();
    }

    @Override
    public void close() throws Exception {
        try {
            if (loader != null) loader.close();
            boolean stopped = inference == null || inference.shutDown(1, TimeUnit.MINUTES); // batches in flight finish, old models close
            if (!stopped) LOG.warn("the inference thread did not stop within a minute: its models are left open");
            if (served != null && stopped) served.clear().forEach(ServingModel::close);
        } finally {
            super.close();
        }
    }

    /** The load in flight, or null (tests wait on it, then advance processing time so the operator takes it). */
    Future<ServingModel> loadInFlight() {
        return loader.inFlight();
    }

    private long now() {
        return getProcessingTimeService().getCurrentProcessingTime();
    }
}
