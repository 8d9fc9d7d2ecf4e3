package org.astropt.stream.trainer;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the trainer must remember across a crash, as STATE_DIR/state.json: the position after the last
 * finished round, and for a round under way its range, how far it read, its step and the checkpoint folder
 * holding the weights and optimizer moments of that step. Written through a temporary file and a rename, so
 * it is always a whole, consistent state: the rename is the commit point of a checkpoint.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
final class TrainerState {

    static final String FILE = "state.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** Where a round stands. IDLE: none under way. TRAINING: checkpointed mid-round. TRAINED: the candidate is stored, publication may be pending. */
    enum Phase { IDLE, TRAINING, TRAINED }

    public String model;
    /** Rounds finished so far; the running round's id is round + 1. */
    public long round;
    public Phase phase = Phase.IDLE;
    /** Partition -> next offset after the last finished round; empty before the first. */
    public Map<Integer, Long> position = new TreeMap<>();

    // ---- the round under way (phase TRAINING or TRAINED) ----
    public Map<Integer, Long> roundStart;
    public Map<Integer, Long> roundEnd;
    /** Partition -> next offset of the round's reader at the checkpoint. */
    public Map<Integer, Long> roundPosition;
    /** Passes over the round's records completed before roundPosition (a round of more steps than records goes round again). */
    public int pass;
    public int step;
    public int maxSteps;
    public long tokensSeen;
    public double lastLoss = Double.NaN;
    /** Version the round fine-tunes; null when it trains from scratch. */
    public Long parentVersion;
    /** Folder under the state folder holding the checkpoint of this step. */
    public String checkpoint;
    public long startedMillis;
    /** Milliseconds spent training before the last restart. */
    public long trainingMillis;
    /** Phase TRAINED: the stored candidate folder. */
    public String candidateUri;
    public String candidateSha;

    static TrainerState load(Path stateDir, String model) throws IOException {
        Path f = stateDir.resolve(FILE);
        if (!Files.exists(f)) {
            TrainerState s = new TrainerState();
            s.model = model;
            return s;
        }
        TrainerState s = JSON.readValue(f.toFile(), TrainerState.class);
        if (s.model != null && !s.model.equals(model)) {
            throw new IllegalArgumentException(f + ": this state belongs to model '" + s.model + "', not '" + model
                    + "'; give each model its own trainer.state-dir");
        }
        s.model = model;
        return s;
    }

    /** The model whose state a folder holds (state.json's model); empty when it holds none. */
    static java.util.Optional<String> modelOf(Path stateDir) {
        Path f = stateDir.resolve(FILE);
        if (!Files.isRegularFile(f)) return java.util.Optional.empty();
        try {
            return java.util.Optional.ofNullable(JSON.readValue(f.toFile(), TrainerState.class).model);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(f + ": cannot be read as the trainer's state (" + e.getMessage() + ")", e);
        }
    }

    void save(Path stateDir) throws IOException {
        Files.createDirectories(stateDir);
        Path temp = stateDir.resolve(FILE + ".tmp");
        JSON.writeValue(temp.toFile(), this);
        replace(temp, stateDir.resolve(FILE));
    }

    /** The round under way is over: its end becomes the position, and the round count goes up. */
    void finishRound() {
        position = new TreeMap<>(roundEnd);
        round++;
        phase = Phase.IDLE;
        roundStart = roundEnd = roundPosition = null;
        pass = step = maxSteps = 0;
        tokensSeen = 0;
        lastLoss = Double.NaN;
        parentVersion = null;
        checkpoint = candidateUri = candidateSha = null;
        startedMillis = trainingMillis = 0;
    }

    /** Moves temp over target atomically where the file system can (a crash leaves the old file or the new, never half of one). */
    static void replace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
