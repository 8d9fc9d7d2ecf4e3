package org.astropt.stream.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.astropt.stream.core.model.AdamW;
import org.astropt.stream.core.model.AstroPTModel;
import org.astropt.stream.core.model.Checkpoint;
import org.astropt.stream.core.model.LrSchedule;
import org.astropt.stream.core.model.ModelFolder;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.core.model.Safetensors;
import org.astropt.stream.core.model.TokenBatch;
import org.astropt.stream.core.model.Trainer;
import org.astropt.stream.kafka.ModelRegistry;
import org.astropt.stream.kafka.ModelVersions;
import org.astropt.stream.kafka.Topics;
import org.astropt.stream.schemas.ModelArchitecture;
import org.astropt.stream.schemas.ModelStatus;
import org.astropt.stream.schemas.ModelVersion;
import org.astropt.stream.schemas.TokenSequence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer service: rounds of training on astropt.tokens, each ending in a model version on
 * astropt.models. The first round trains from scratch on everything on the topic; each later round
 * fine-tunes the serving (PROMOTED) version on the records that arrived since the last round, mixed
 * with a replay sample of older ones. A round is published as CANDIDATE, then PROMOTED when its held-out
 * loss beats the serving version's measured on the same sample now, else REJECTED with both numbers.
 *
 * <pre>{@code
 * try (ContinuousTrainer trainer = new ContinuousTrainer(settings, topics, listener)) {
 *     Optional<RoundResult> r = trainer.runRound(); // one round now, synchronously
 *     trainer.start();                              // or: rounds every N records / max wait, on a daemon thread
 * }
 * }</pre>
 *
 * Crash-safe: the round's reading position, weights, optimizer moments and step are checkpointed in the
 * state folder every trainer.checkpoint-every steps; a new trainer on the same folder resumes the round
 * there, and a round whose candidate was already published is not published twice (docs/TRAINER.md).
 */
public final class ContinuousTrainer implements AutoCloseable {

    /** Hears about a trainer's work; called on the training thread. */
    public interface Listener {
        /** After every optimizer step. */
        default void progress(long round, Trainer.Progress progress) {}

        /** After a round published its version (PROMOTED or REJECTED). */
        default void published(RoundResult result) {}
    }

    private static final Logger LOG = LoggerFactory.getLogger(ContinuousTrainer.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final String HELD_OUT_FILE = "heldout.bin";
    static final String VERSIONS_FILE = "versions.csv";
    private static final String OPTIMIZER_FILE = "optimizer.safetensors";
    private static final String CANDIDATE_DIR = "candidate";

    private final TrainerSettings settings;
    private final Listener listener;
    private final Path stateDir;
    private final ModelStore store;
    private final TokenReader reader;
    private final ModelRegistry registry;
    private volatile boolean closed;
    private Thread loop;

    public ContinuousTrainer(TrainerSettings settings, Topics topics, Listener listener) throws IOException {
        this.settings = settings;
        this.listener = listener;
        this.stateDir = settings.stateDir().toAbsolutePath();
        this.store = ModelStore.of(settings.modelStore());
        Files.createDirectories(stateDir);
        this.reader = new TokenReader(settings, topics.name(Topics.TOKENS));
        try {
            this.registry = ModelRegistry.reading(settings.bootstrapServers(), topics.name(Topics.MODELS), settings.transactionalId());
        } catch (RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    public TrainerSettings settings() { return settings; }

    public ModelStore store() { return store; }

    /** The models topic now. */
    public ModelVersions catalog() { return registry.versions(); }

    /** Token records on the topic after the last finished round (an upper bound: compaction leaves gaps). */
    public synchronized long pendingRecords() throws IOException {
        TrainerState state = TrainerState.load(stateDir, settings.modelName());
        Map<Integer, Long> from = start(state);
        long n = 0;
        for (Map.Entry<Integer, Long> e : reader.end().entrySet()) n += Math.max(0, e.getValue() - from.getOrDefault(e.getKey(), 0L));
        return n;
    }

    /**
     * Runs one round now, or finishes the one a crash interrupted: trains, evaluates, stores and publishes.
     *
     * @return what was published; empty when there was nothing new to train on
     */
    public synchronized Optional<RoundResult> runRound() throws IOException {
        TrainerState state = TrainerState.load(stateDir, settings.modelName());
        if (state.phase == TrainerState.Phase.TRAINED) return Optional.of(publish(state));
        ModelVersions catalog = registry.versions();
        if (state.phase == TrainerState.Phase.IDLE && !begin(state, catalog)) return Optional.empty();
        if (state.phase == TrainerState.Phase.TRAINING && !train(state, catalog)) return Optional.empty();
        return Optional.of(publish(state));
    }

    /** Plans a new round over the records since the last one; false when there are none. */
    private boolean begin(TrainerState state, ModelVersions catalog) throws IOException {
        Map<Integer, Long> from = start(state);
        Map<Integer, Long> end = reader.end();
        long records = 0;
        for (Map.Entry<Integer, Long> e : end.entrySet()) records += Math.max(0, e.getValue() - from.getOrDefault(e.getKey(), 0L));
        if (records == 0) return false;
        Optional<ModelVersion> parent = catalog.serving(settings.modelName());
        int perStep = settings.batchSize() - replayPerStep(from);
        state.roundStart = new TreeMap<>(from);
        state.roundEnd = new TreeMap<>(end);
        state.roundPosition = new TreeMap<>(from);
        state.pass = 0;
        state.step = 0;
        state.maxSteps = settings.stepsPerRound() > 0 ? settings.stepsPerRound()
                : (int) Math.max(1, Math.ceil(records * (1 - settings.heldOutFraction()) / perStep));
        state.parentVersion = parent.map(ModelVersion::getVersion).orElse(null);
        state.checkpoint = null;
        state.startedMillis = System.currentTimeMillis();
        state.trainingMillis = 0;
        state.tokensSeen = 0;
        state.phase = TrainerState.Phase.TRAINING;
        state.save(stateDir);
        LOG.info("round={} records={} parent={} steps={} from={} to={}", state.round + 1, records,
                state.parentVersion == null ? "none" : "v" + state.parentVersion, state.maxSteps, from, end);
        return true;
    }

    /** Where the next round starts: the last round's end, else the group's committed offsets, else the beginning. */
    private Map<Integer, Long> start(TrainerState state) {
        if (!state.position.isEmpty()) return state.position;
        Map<Integer, Long> committed = reader.committed();
        return committed.isEmpty() ? reader.beginning() : committed;
    }

    /** Records replayed per step: a share of the batch, when there are older records to replay. */
    private int replayPerStep(Map<Integer, Long> roundStart) {
        Map<Integer, Long> begin = reader.beginning();
        boolean older = roundStart.entrySet().stream().anyMatch(e -> e.getValue() > begin.getOrDefault(e.getKey(), 0L));
        return older ? Math.min(settings.batchSize() - 1, (int) Math.round(settings.batchSize() * settings.replayFraction())) : 0;
    }

    /** Trains the round from its last checkpoint to its last step and stores the candidate; false when it had nothing to train on. */
    private boolean train(TrainerState state, ModelVersions catalog) throws IOException {
        long round = state.round + 1;
        Path checkpoint = state.checkpoint == null ? null : stateDir.resolve(state.checkpoint);
        HeldOutSet heldOut = HeldOutSet.load(checkpoint != null ? checkpoint.resolve(HELD_OUT_FILE) : stateDir.resolve(HELD_OUT_FILE),
                settings.heldOutMax());
        try (AstroPTModel model = startingModel(state, catalog, checkpoint)) {
            ModelConfig config = model.config();
            LrSchedule schedule = LrSchedule.of(settings.peakLearningRate(), state.maxSteps / 20, state.maxSteps);
            Trainer.Settings ts = new Trainer.Settings(settings.batchSize(), 1, state.maxSteps, schedule, 1.0, AdamW.Settings.ASTROPT, 0, 1);
            try (Trainer trainer = new Trainer(model, ts); RoundLog log = new RoundLog(stateDir, state.step)) {
                if (checkpoint != null) {
                    Path opt = checkpoint.resolve(OPTIMIZER_FILE);
                    trainer.optimizer().restore(Safetensors.read(opt), Integer.parseInt(Safetensors.metadata(opt).get("step")));
                }
                reader.seek(state.roundPosition, state.roundEnd);
                int replay = replayPerStep(state.roundStart);
                Random replayRandom = new Random();
                long resumedAt = System.nanoTime();
                long tokensSinceResume = 0;
                int firstStep = state.step;
                boolean trainableInPass = false;
                while (state.step < state.maxSteps && !closed) {
                    List<float[][]> batch = new ArrayList<>();
                    boolean passEnded = false;
                    while (batch.size() < settings.batchSize() - replay) {
                        TokenRecord r = reader.next();
                        if (r == null) {
                            passEnded = true;
                            break;
                        }
                        if (r.heldOut(settings.heldOutFraction())) {
                            heldOut.offer(r);
                        } else if (fits(r, config)) {
                            batch.add(r.tokens());
                            trainableInPass = true;
                        }
                    }
                    if (replay > 0) {
                        replayRandom.setSeed(settings.seed() * 1_000_003L + round * 7919L + state.step);
                        batch.addAll(replaySample(replayRandom, state.roundStart, replay, config));
                    }
                    if (passEnded) {
                        state.pass++;
                        boolean again = settings.stepsPerRound() > 0 && (trainableInPass || replay > 0);
                        if (again) {
                            reader.seek(state.roundStart, state.roundEnd);
                            trainableInPass = false;
                        } else {
                            state.maxSteps = state.step + (batch.isEmpty() ? 0 : 1); // one pass: this is the last step
                        }
                    }
                    if (batch.isEmpty()) continue;
                    float loss = step(trainer, model, batch, schedule.at(state.step));
                    long tokens = batch.stream().mapToLong(s -> s.length - 1L).sum();
                    state.tokensSeen += tokens;
                    tokensSinceResume += tokens;
                    state.step++;
                    state.lastLoss = loss;
                    double seconds = Math.max((System.nanoTime() - resumedAt) / 1e9, 1e-9);
                    int done = state.step - firstStep;
                    Duration eta = Duration.ofMillis((long) (seconds / done * (state.maxSteps - state.step) * 1000));
                    Trainer.Progress p = new Trainer.Progress(state.step, state.maxSteps, loss, Float.NaN, schedule.at(state.step - 1),
                            tokensSinceResume / seconds, eta);
                    log.accept(p);
                    if (state.step % settings.checkpointEvery() == 0 || state.step == state.maxSteps) {
                        state.trainingMillis += (System.nanoTime() - resumedAt) / 1_000_000;
                        resumedAt = System.nanoTime();
                        tokensSinceResume = 0;
                        firstStep = state.step;
                        checkpoint(state, model, trainer, heldOut);
                    }
                    listener.progress(round, p);
                }
                if (!("ckpt-" + state.step + "-" + state.pass).equals(state.checkpoint)) {
                    checkpoint(state, model, trainer, heldOut); // closed mid-round, or a pass that ended between checkpoints
                }
                if (closed) return false;
                if (state.step == 0) { // nothing but held-out records (or none that fit): no version, but the position moves on
                    finish(state);
                    return false;
                }
                storeCandidate(state, model, heldOut, log);
            }
        }
        return true;
    }

    /** The weights a round starts from: its checkpoint, else the serving version's, else fresh ones of the preset. */
    private AstroPTModel startingModel(TrainerState state, ModelVersions catalog, Path checkpoint) throws IOException {
        if (checkpoint != null) return Checkpoint.load(checkpoint, AstroPTModel.defaultDevice());
        if (state.parentVersion != null) {
            ModelVersion parent = catalog.version(settings.modelName(), state.parentVersion).orElseThrow(() -> new IllegalStateException(
                    "version " + state.parentVersion + " of " + settings.modelName() + " is gone from the models topic"));
            return Checkpoint.load(store.open(URI.create(parent.getWeightsUri())), AstroPTModel.defaultDevice());
        }
        TokenRecord first = firstRecord(state);
        int patch = ModelConfig.DEFAULT_PATCH_SIZE;
        int channels = first.sequence().getTokenDim() / (patch * patch);
        ModelConfig config = settings.modelPreset().config().withChannels(Math.max(1, channels));
        return AstroPTModel.create(config, AstroPTModel.defaultDevice(), settings.seed());
    }

    private TokenRecord firstRecord(TrainerState state) {
        for (Map.Entry<Integer, Long> e : state.roundStart.entrySet()) {
            long end = state.roundEnd.getOrDefault(e.getKey(), 0L);
            if (e.getValue() < end) {
                List<TokenRecord> r = reader.readAt(e.getKey(), e.getValue(), 1, end);
                if (!r.isEmpty()) return r.get(0);
            }
        }
        throw new IllegalStateException("no token record in the round's range " + state.roundStart + " to " + state.roundEnd);
    }

    private static boolean fits(TokenRecord r, ModelConfig config) {
        TokenSequence s = r.sequence();
        return s.getTokenDim() == config.tokenDim() && s.getTokenCount() >= 2 && s.getTokenCount() <= config.blockSize() + 1;
    }

    /** count training records from a random place before the round (the replay sample), the same for the same seed. */
    private List<float[][]> replaySample(Random random, Map<Integer, Long> roundStart, int count, ModelConfig config) {
        Map<Integer, Long> begin = reader.beginning();
        long total = 0;
        for (Map.Entry<Integer, Long> e : roundStart.entrySet()) total += Math.max(0, e.getValue() - begin.getOrDefault(e.getKey(), 0L));
        List<float[][]> out = new ArrayList<>();
        if (total == 0) return out;
        long pick = (long) (random.nextDouble() * total);
        for (Map.Entry<Integer, Long> e : roundStart.entrySet()) {
            long from = begin.getOrDefault(e.getKey(), 0L);
            long size = Math.max(0, e.getValue() - from);
            if (pick >= size) {
                pick -= size;
                continue;
            }
            for (TokenRecord r : reader.readAt(e.getKey(), from + pick, count * 2, e.getValue())) {
                if (out.size() < count && !r.heldOut(settings.heldOutFraction()) && fits(r, config)) out.add(r.tokens());
            }
            break;
        }
        return out;
    }

    /** One optimizer step on sequences of possibly several lengths: one micro-batch per length. */
    private static float step(Trainer trainer, AstroPTModel model, List<float[][]> batch, double lr) {
        Map<Integer, List<float[][]>> byLength = new LinkedHashMap<>();
        for (float[][] s : batch) byLength.computeIfAbsent(s.length, k -> new ArrayList<>()).add(s);
        try (NDManager m = model.newBatchManager()) {
            List<NDArray> micro = new ArrayList<>();
            for (List<float[][]> group : byLength.values()) micro.add(TokenBatch.stack(m, group));
            return trainer.step(micro, lr);
        }
    }

    /** Weights, optimizer moments and held-out sample into ckpt-STEP/, then state.json names it (the commit point), then older ones go. */
    private void checkpoint(TrainerState state, AstroPTModel model, Trainer trainer, HeldOutSet heldOut) throws IOException {
        String name = "ckpt-" + state.step + "-" + state.pass;
        Path dir = stateDir.resolve(name);
        FileModelStore.deleteTree(dir);
        Checkpoint.save(model, dir, Safetensors.Dtype.F32);
        Safetensors.write(dir.resolve(OPTIMIZER_FILE), trainer.optimizer().moments(),
                Map.of("step", String.valueOf(trainer.optimizer().stepCount())));
        heldOut.save(dir.resolve(HELD_OUT_FILE));
        state.roundPosition = reader.position();
        state.checkpoint = name;
        state.save(stateDir);
        try (Stream<Path> old = Files.list(stateDir)) {
            for (Path p : old.filter(p -> p.getFileName().toString().startsWith("ckpt-") && !p.getFileName().toString().equals(name)).toList()) {
                FileModelStore.deleteTree(p);
            }
        }
    }

    /** Evaluates the trained model and the serving one on the held-out sample, writes the version folder and stores it. */
    private void storeCandidate(TrainerState state, AstroPTModel model, HeldOutSet heldOut, RoundLog log) throws IOException {
        List<TokenSequence> sample = heldOut.sequences().stream()
                .filter(s -> s.getTokenDim() == model.config().tokenDim() && s.getTokenCount() >= 2
                        && s.getTokenCount() <= model.config().blockSize() + 1).toList();
        List<float[][]> tokens = sample.stream().map(org.astropt.stream.core.token.TokenSequences::tokens).toList();
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("model", settings.modelName());
        metrics.put("round", state.round + 1);
        metrics.put("parent_version", state.parentVersion);
        double loss = tokens.isEmpty() ? Double.NaN : Evaluation.heldOutLoss(model, tokens, settings.batchSize());
        metrics.put(ModelFolder.HELD_OUT_LOSS, loss);
        metrics.put("heldout_sequences", sample.size());
        Optional<ModelVersion> promoted = registry.versions().serving(settings.modelName());
        if (promoted.isPresent() && !tokens.isEmpty()) {
            try (AstroPTModel serving = Checkpoint.load(store.open(URI.create(promoted.get().getWeightsUri())), AstroPTModel.defaultDevice())) {
                metrics.put("promoted_version", promoted.get().getVersion());
                metrics.put("promoted_heldout_loss", Evaluation.heldOutLoss(serving, tokens, settings.batchSize()));
            }
        }
        metrics.put("train_loss", state.lastLoss);
        metrics.put("steps", state.step);
        metrics.put("tokens_seen", state.tokensSeen);
        metrics.put("wall_s", (System.currentTimeMillis() - state.startedMillis) / 1000.0);
        metrics.put("training_s", state.trainingMillis / 1000.0);
        Evaluation.probes(model, sample, settings.probeLabels()).forEach((label, r2) -> metrics.put("probe_r2." + label, r2));

        Path candidate = stateDir.resolve(CANDIDATE_DIR);
        FileModelStore.deleteTree(candidate);
        Checkpoint.save(model, candidate, Safetensors.Dtype.F32);
        new ModelFolder(candidate).writeMetrics(metrics);
        log.copyTo(candidate.resolve(ModelFolder.TRAIN_LOG_FILE));
        URI folder = store.put(candidate);
        state.candidateUri = folder.toString();
        state.candidateSha = Checkpoint.sha256(candidate.resolve(Checkpoint.WEIGHTS_FILE));
        state.phase = TrainerState.Phase.TRAINED;
        state.save(stateDir);
        FileModelStore.deleteTree(candidate);
    }

    /**
     * Publishes the stored candidate as CANDIDATE, then PROMOTED or REJECTED; what a previous attempt already
     * published (found by the weights' sha256) is not published again.
     */
    private RoundResult publish(TrainerState state) throws IOException {
        URI folder = URI.create(state.candidateUri);
        Path local = store.open(folder);
        Map<String, Object> written = JSON.readValue(local.resolve(ModelFolder.METRICS_FILE).toFile(), new TypeReference<>() {});
        Map<String, Double> metrics = new LinkedHashMap<>();
        written.forEach((k, v) -> { if (v instanceof Number n && !k.equals("parent_version")) metrics.put(k, n.doubleValue()); });
        double loss = metrics.getOrDefault(ModelFolder.HELD_OUT_LOSS, Double.NaN);
        double promotedLoss = metrics.getOrDefault("promoted_heldout_loss", Double.NaN);
        Long promotedVersion = metrics.containsKey("promoted_version") ? metrics.get("promoted_version").longValue() : null;

        ModelVersions catalog = registry.versions();
        Optional<ModelVersion> already = catalog.withSha256(settings.modelName(), state.candidateSha);
        ModelVersion decided;
        if (already.isPresent() && already.get().getStatus() != ModelStatus.CANDIDATE) {
            decided = already.get();
        } else {
            ModelConfig config = ModelConfig.read(local.resolve(Checkpoint.CONFIG_FILE));
            long version = already.map(ModelVersion::getVersion).orElse(catalog.nextVersion(settings.modelName()));
            ModelVersion candidate = ModelVersion.newBuilder()
                    .setName(settings.modelName())
                    .setVersion(version)
                    .setArchitecture(architecture(config))
                    .setWeightsUri(ModelStore.weights(folder).toString())
                    .setSha256(state.candidateSha)
                    .setSizeBytes(Files.size(local.resolve(Checkpoint.WEIGHTS_FILE)))
                    .setMetrics(metrics)
                    .setParentVersion(state.parentVersion)
                    .setStatus(ModelStatus.CANDIDATE)
                    .setCreatedTime(Instant.now())
                    .setNote("round " + (state.round + 1))
                    .build();
            if (already.isEmpty()) registry.publish(List.of(candidate));
            boolean better = Double.isFinite(loss) && (promotedVersion == null || loss < promotedLoss);
            String note = promotedVersion == null
                    ? String.format(java.util.Locale.ROOT, "held-out loss %.5f; no version served before", loss)
                    : String.format(java.util.Locale.ROOT, "held-out loss %.5f %s %.5f of v%d, measured now on the same %d sequences",
                            loss, better ? "beats" : "does not beat", promotedLoss, promotedVersion, metrics.getOrDefault("heldout_sequences", 0.0).intValue());
            decided = ModelVersion.newBuilder(candidate).setStatus(better ? ModelStatus.PROMOTED : ModelStatus.REJECTED).setNote(note)
                    .setCreatedTime(Instant.now()).build();
            registry.publish(List.of(decided));
        }
        RoundResult result = new RoundResult(state.round + 1, decided.getVersion(), decided.getStatus(), loss, promotedLoss,
                promotedVersion, state.parentVersion, state.candidateSha, folder, metrics);
        appendVersion(result, decided);
        RoundLog.appendHistory(stateDir, state.round + 1);
        finish(state);
        LOG.info("round={} version={} status={} heldout_loss={} promoted_heldout_loss={} promoted_version={} sha256={}",
                result.round(), result.version(), result.status(), loss, promotedLoss, promotedVersion, state.candidateSha);
        listener.published(result);
        return result;
    }

    /** The round is done: its held-out sample and end position become the trainer's, its checkpoints go. */
    private void finish(TrainerState state) throws IOException {
        if (state.checkpoint != null) {
            Path held = stateDir.resolve(state.checkpoint).resolve(HELD_OUT_FILE);
            if (Files.exists(held)) {
                Path temp = stateDir.resolve(HELD_OUT_FILE + ".tmp");
                Files.copy(held, temp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                TrainerState.replace(temp, stateDir.resolve(HELD_OUT_FILE));
            }
        }
        reader.commit(state.roundEnd);
        String old = state.checkpoint;
        state.finishRound();
        state.save(stateDir);
        if (old != null) FileModelStore.deleteTree(stateDir.resolve(old));
    }

    /** STATE_DIR/versions.csv: one row per published version, for the dashboard. */
    private void appendVersion(RoundResult r, ModelVersion v) throws IOException {
        Path file = stateDir.resolve(VERSIONS_FILE);
        List<String> rows = new ArrayList<>();
        if (!Files.exists(file)) rows.add("round,version,status,heldout_loss,promoted_version,promoted_heldout_loss,sha256,created");
        rows.add(String.format(java.util.Locale.ROOT, "%d,%d,%s,%s,%s,%s,%s,%s", r.round(), r.version(), r.status(),
                r.heldOutLoss(), r.promotedVersion() == null ? "" : r.promotedVersion(),
                Double.isNaN(r.promotedHeldOutLoss()) ? "" : r.promotedHeldOutLoss(), r.sha256(), v.getCreatedTime()));
        Files.write(file, rows, java.nio.charset.StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }

    static ModelArchitecture architecture(ModelConfig c) {
        return ModelArchitecture.newBuilder().setNLayer(c.nLayer()).setNHead(c.nHead()).setNEmbd(c.nEmbd()).setNChan(c.nChan())
                .setBlockSize(c.blockSize()).setPatchSize(c.patchSize()).setBias(c.bias()).setDropout(c.dropout()).build();
    }

    /**
     * Runs rounds on a daemon thread until close(): one when trainer.every new records have arrived, or
     * when trainer.max-wait has passed since the last round and at least one has. A failed round is logged
     * and tried again (from its checkpoint) after a pause.
     */
    public synchronized void start() {
        if (loop != null) throw new IllegalStateException("the trainer is already running");
        loop = new Thread(this::continuously, "astropt-trainer");
        loop.setDaemon(true);
        loop.start();
    }

    private void continuously() {
        long lastRound = System.nanoTime();
        while (!closed) {
            try {
                TrainerState state = TrainerState.load(stateDir, settings.modelName());
                long pending = pendingRecords();
                boolean waited = System.nanoTime() - lastRound >= settings.maxWait().toNanos();
                if (state.phase != TrainerState.Phase.IDLE || pending >= settings.every() || (pending > 0 && waited)) {
                    runRound();
                    lastRound = System.nanoTime();
                } else {
                    sleep(Duration.ofMillis(500));
                }
            } catch (IOException | RuntimeException e) {
                if (closed) break;
                LOG.error("training round failed, trying again from its checkpoint in 5 s: {}", e.toString(), e);
                sleep(Duration.ofSeconds(5));
            }
        }
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /** Stops the loop (a round under way checkpoints and stops after its current step) and closes the clients. */
    @Override
    public void close() {
        closed = true; // the loop sees it between two steps (an interrupt would break a Kafka poll mid-way)
        Thread t = loop;
        if (t != null) {
            try {
                t.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            reader.close();
            registry.close();
        }
    }
}
