package org.astropt.stream.trainer;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.astropt.stream.core.model.TrainLog;
import org.astropt.stream.core.model.Trainer;

/**
 * The loss of every step of the running round, STATE_DIR/round-log.csv ({@link TrainLog}'s layout), flushed per
 * step so a dashboard can follow it. Resuming from a checkpoint drops the rows after the checkpoint's step,
 * so a step redone after a crash appears once. It becomes the version folder's train-log.csv and is appended
 * to STATE_DIR/loss.csv (with the round) when the round ends.
 */
final class RoundLog implements AutoCloseable {

    static final String FILE = "round-log.csv";
    static final String HISTORY_FILE = "loss.csv";

    private final Path file;
    private final BufferedWriter out;

    /** Opens the log of a round resumed at step (0: a new round); rows after step are dropped. */
    RoundLog(Path stateDir, int step) throws IOException {
        this.file = stateDir.resolve(FILE);
        List<String> kept = new ArrayList<>();
        kept.add(TrainLog.HEADER);
        if (step > 0 && Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int comma = line.indexOf(',');
                if (comma > 0 && Character.isDigit(line.charAt(0)) && Integer.parseInt(line.substring(0, comma)) <= step) kept.add(line);
            }
        }
        Files.write(file, kept, StandardCharsets.UTF_8);
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    void accept(Trainer.Progress p) {
        try {
            out.write(TrainLog.row(p, Double.NaN) + "\n"); // no elapsed time: a resumed round restarts the clock
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + " (" + e.getMessage() + ")", e);
        }
    }

    /** Copies the round's rows to target (the version's train-log.csv). */
    void copyTo(Path target) throws IOException {
        out.flush();
        Files.copy(file, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** Appends the round's rows to STATE_DIR/loss.csv, each behind its round number. */
    static void appendHistory(Path stateDir, long round) throws IOException {
        Path log = stateDir.resolve(FILE);
        if (!Files.exists(log)) return;
        Path history = stateDir.resolve(HISTORY_FILE);
        List<String> rows = new ArrayList<>();
        if (!Files.exists(history)) rows.add("round," + TrainLog.HEADER);
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (!line.isEmpty() && Character.isDigit(line.charAt(0))) rows.add(round + "," + line);
        }
        Files.write(history, rows, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Override
    public void close() throws IOException { out.close(); }
}
