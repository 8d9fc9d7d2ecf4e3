package org.astropt.stream.core.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one layout of a model folder's train-log.csv ({@value #HEADER}), written by {@code astropt train}
 * and by the trainer service, read by the dashboard's training curve. A number that was not measured (the
 * validation loss between evaluations, the learning rate of the untrained model) is an empty cell.
 */
public final class TrainLog {

    public static final String HEADER = "step,lr,loss,val_loss,tokens_per_s,elapsed_s";

    private TrainLog() {}

    /** One step's row; NaN values become empty cells. */
    public static String row(int step, double lr, double loss, double valLoss, double tokensPerSecond, double elapsedSeconds) {
        return String.format(Locale.ROOT, "%d,%s,%s,%s,%s,%s", step, cell("%.6g", lr), cell("%.6f", loss),
                cell("%.6f", valLoss), cell("%.1f", tokensPerSecond), cell("%.3f", elapsedSeconds));
    }

    /** The row of an optimizer step; elapsedSeconds NaN when the writer does not keep time. */
    public static String row(Trainer.Progress p, double elapsedSeconds) {
        return row(p.step(), p.learningRate(), p.loss(), p.validationLoss(), p.tokensPerSecond(), elapsedSeconds);
    }

    /**
     * The log's lines as columns (header name -> values, null for empty or unreadable cells), evenly thinned
     * to at most maxRows rows (the last row always kept); empty when there is no header.
     */
    public static Map<String, List<Double>> columns(List<String> lines, int maxRows) {
        if (lines.isEmpty()) return Map.of();
        String[] header = lines.get(0).trim().split(",");
        List<String> rows = lines.subList(1, lines.size()).stream().filter(l -> !l.isBlank()).toList();
        int stride = Math.max(1, (int) Math.ceil(rows.size() / (double) maxRows));
        Map<String, List<Double>> out = new LinkedHashMap<>();
        for (String h : header) out.put(h.trim(), new ArrayList<>());
        for (int r = 0; r < rows.size(); r++) {
            if (r % stride != 0 && r != rows.size() - 1) continue;
            String[] cells = Arrays.copyOf(rows.get(r).split(",", -1), header.length);
            for (int c = 0; c < header.length; c++) out.get(header[c].trim()).add(number(cells[c]));
        }
        return out;
    }

    private static String cell(String format, double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, format, v);
    }

    private static Double number(String cell) {
        if (cell == null || cell.isBlank()) return null;
        try {
            double d = Double.parseDouble(cell.trim());
            return Double.isFinite(d) ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
