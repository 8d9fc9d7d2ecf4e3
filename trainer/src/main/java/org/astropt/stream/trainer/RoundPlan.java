package org.astropt.stream.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.astropt.stream.core.model.ModelConfig;
import org.astropt.stream.schemas.TokenSequence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which records a round trains on: its range of astropt.tokens (from where the last round ended to the
 * last stable offset now), its number of steps, the replay share of each batch and where the replay sample
 * is read, which records are held out, and when a continuous trainer's next round is due. When a round is
 * over, its end becomes the next round's start ({@link #finish}).
 */
final class RoundPlan {

    private static final Logger LOG = LoggerFactory.getLogger(RoundPlan.class);
    static final String HELD_OUT_FILE = "heldout.bin";
    /** Records read at a time while scanning a range ({@link #trainingRecords}, {@link #firstOfLayout}). */
    private static final int SCAN_CHUNK = 256;

    private final TrainerSettings settings;
    private final TokenReader reader;
    private final Path stateDir;

    RoundPlan(TrainerSettings settings, TokenReader reader, Path stateDir) {
        this.settings = settings;
        this.reader = reader;
        this.stateDir = stateDir;
    }

    /** Token records on the topic after the last finished round (an upper bound: compaction leaves gaps). */
    long pending(TrainerState state) {
        return records(start(state), reader.end());
    }

    /**
     * Plans a new round over the records since the last one, fine-tuning parentVersion (null: from scratch),
     * and saves it in state; false when there are no records.
     */
    boolean begin(TrainerState state, Long parentVersion) throws IOException {
        Map<Integer, Long> from = start(state);
        Map<Integer, Long> end = reader.end();
        long records = records(from, end);
        if (records == 0) return false;
        // one pass: sized by the records it will train on, so that its learning-rate schedule ends where the pass
        // does (the topic may carry other layouts' records, which the round skips, and held-out ones)
        long trained = settings.stepsPerRound() > 0 ? -1 : trainingRecords(from, end);
        int perStep = settings.batchSize() - replayPerStep(from);
        state.roundStart = new TreeMap<>(from);
        state.roundEnd = new TreeMap<>(end);
        state.roundPosition = new TreeMap<>(from);
        state.pass = 0;
        state.step = 0;
        state.maxSteps = steps(settings.stepsPerRound(), trained, perStep);
        state.parentVersion = parentVersion;
        state.checkpoint = null;
        state.startedMillis = System.currentTimeMillis();
        state.trainingMillis = 0;
        state.tokensSeen = 0;
        state.phase = TrainerState.Phase.TRAINING;
        state.save(stateDir);
        LOG.info("round={} records={} training_records={} parent={} steps={} from={} to={}", state.round + 1, records,
                trained < 0 ? "uncounted" : trained,
                state.parentVersion == null ? "none" : "v" + state.parentVersion, state.maxSteps, from, end);
        return true;
    }

    /**
     * The records a one-pass round between two positions trains on: of this model's layout, not held out (one scan
     * of the range).
     */
    long trainingRecords(Map<Integer, Long> from, Map<Integer, Long> end) {
        long[] n = {0};
        scan(from, end, r -> {
            if (ofLayout(r.sequence()) && !heldOut(r)) n[0]++;
            return true;
        });
        return n[0];
    }

    /** The first record of this model's layout between two positions; null when there is none. */
    TokenSequence firstOfLayout(Map<Integer, Long> from, Map<Integer, Long> end) {
        TokenSequence[] first = {null};
        scan(from, end, r -> {
            if (ofLayout(r.sequence())) first[0] = r.sequence();
            return first[0] == null;
        });
        return first[0];
    }

    /**
     * Reads the records between two positions, partition by partition, SCAN_CHUNK at a time through the reader's
     * second consumer (the round's own position stays where it is), until visit returns false.
     */
    private void scan(Map<Integer, Long> from, Map<Integer, Long> end, Predicate<TokenRecord> visit) {
        for (Map.Entry<Integer, Long> e : end.entrySet()) {
            long at = from.getOrDefault(e.getKey(), 0L);
            while (at < e.getValue()) {
                List<TokenRecord> chunk = reader.readAt(e.getKey(), at, SCAN_CHUNK, e.getValue());
                if (chunk.isEmpty()) break; // the rest of the range holds no readable record
                for (TokenRecord r : chunk) if (!visit.test(r)) return;
                at = chunk.get(chunk.size() - 1).offset() + 1;
            }
        }
    }

    /** Records between two positions, summed over partitions. */
    static long records(Map<Integer, Long> from, Map<Integer, Long> end) {
        long n = 0;
        for (Map.Entry<Integer, Long> e : end.entrySet()) n += Math.max(0, e.getValue() - from.getOrDefault(e.getKey(), 0L));
        return n;
    }

    /** A round's steps: trainer.steps-per-round, or (0) one pass over its training records ({@link #trainingRecords}). */
    static int steps(int stepsPerRound, long trainingRecords, int recordsPerStep) {
        return stepsPerRound > 0 ? stepsPerRound : (int) Math.max(1, Math.ceil(trainingRecords / (double) recordsPerStep));
    }

    /** Records replayed per step: a share of the batch (at least one new record stays), when there are older records. */
    static int replayPerStep(int batchSize, double replayFraction, boolean olderRecords) {
        return olderRecords ? Math.min(batchSize - 1, (int) Math.round(batchSize * replayFraction)) : 0;
    }

    /** A round is due when one is under way, when every records have arrived, or when some have and the wait is over. */
    static boolean due(TrainerState.Phase phase, long pending, long every, boolean waitedLongEnough) {
        return phase != TrainerState.Phase.IDLE || pending >= every || (pending > 0 && waitedLongEnough);
    }

    /** Where the next round starts: the last round's end, else the group's committed offsets, else the beginning. */
    private Map<Integer, Long> start(TrainerState state) {
        if (!state.position.isEmpty()) return state.position;
        Map<Integer, Long> committed = reader.committed();
        return committed.isEmpty() ? reader.beginning() : committed;
    }

    /** Records replayed per step of a round starting at roundStart. */
    int replayPerStep(Map<Integer, Long> roundStart) {
        Map<Integer, Long> begin = reader.beginning();
        boolean older = roundStart.entrySet().stream().anyMatch(e -> e.getValue() > begin.getOrDefault(e.getKey(), 0L));
        return replayPerStep(settings.batchSize(), settings.replayFraction(), older);
    }

    /** Of this trainer's model's layout (trainer.models; grz-cutout for a single model): the only records it trains on, holds out and evaluates. */
    boolean ofLayout(TokenSequence s) { return settings.layout().id().equals(s.getLayout()); }

    /** Never trained on: its id's hash falls below trainer.held-out-fraction; it joins the held-out sample instead. */
    boolean heldOut(TokenRecord r) { return r.heldOut(settings.heldOutFraction()); }

    /**
     * The model can train on it: its layout (grz-cutout or alert-triplet, as the model's config.json declares), its
     * token width, at least two tokens but no more than the context plus one,
     * and not a novel object of the synthetic survey (kept unseen, so novelty is judged on what no version trained on).
     */
    static boolean fits(TokenRecord r, ModelConfig config) {
        TokenSequence s = r.sequence();
        return config.inputLayout().id().equals(s.getLayout())
                && s.getTokenDim() == config.tokenDim() && s.getTokenCount() >= 2 && s.getTokenCount() <= config.blockSize() + 1
                && !r.novel();
    }

    /** The replay sample of one step: the random place is seeded by (seed, round, step), so a resumed step replays the same records. */
    List<float[][]> replaySample(long round, int step, Map<Integer, Long> roundStart, int count, ModelConfig config) {
        Random random = new Random(settings.seed() * 1_000_003L + round * 7919L + step);
        return replaySample(random, roundStart, count, config);
    }

    /** count training records from a random place before the round (the replay sample), the same for the same seed. */
    private List<float[][]> replaySample(Random random, Map<Integer, Long> roundStart, int count, ModelConfig config) {
        Map<Integer, Long> begin = reader.beginning();
        long total = records(begin, roundStart);
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
                if (out.size() < count && !heldOut(r) && fits(r, config)) out.add(r.tokens());
            }
            break;
        }
        return out;
    }

    /** The round is done: its held-out sample and end position become the trainer's, its checkpoints go. */
    void finish(TrainerState state) throws IOException {
        if (state.checkpoint != null) {
            Path held = stateDir.resolve(state.checkpoint).resolve(HELD_OUT_FILE);
            if (Files.exists(held)) {
                Path temp = stateDir.resolve(HELD_OUT_FILE + ".tmp");
                Files.copy(held, temp, StandardCopyOption.REPLACE_EXISTING);
                TrainerState.replace(temp, stateDir.resolve(HELD_OUT_FILE));
            }
        }
        reader.commit(state.roundEnd);
        String old = state.checkpoint;
        state.finishRound();
        state.save(stateDir);
        if (old != null) FileModelStore.deleteTree(stateDir.resolve(old));
    }
}
