package org.astropt.stream.core.model;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Training progress as one line per update, e.g.
 * {@code step   120/3000 [#.........] loss 0.4123 val 0.4301 lr 6.0e-04 15.3k tok/s ETA 4m12s}.
 * On a terminal the line redraws in place; elsewhere (logs) every everySteps-th step gets a line.
 */
public final class ProgressBar implements Consumer<Trainer.Progress> {

    private static final int WIDTH = 20;

    private final PrintWriter out;
    private final boolean inPlace;
    private final int everySteps;

    /** @param inPlace redraw one line with \r (a terminal); else print a line every everySteps steps */
    public ProgressBar(PrintWriter out, boolean inPlace, int everySteps) {
        this.out = out;
        this.inPlace = inPlace;
        this.everySteps = Math.max(1, everySteps);
    }

    public ProgressBar(PrintStream out, boolean inPlace, int everySteps) {
        this(new PrintWriter(out, true), inPlace, everySteps);
    }

    /** To stderr, in place when a console is attached, else a line every 10 steps. */
    public static ProgressBar toConsole() {
        return new ProgressBar(System.err, System.console() != null, 10);
    }

    @Override
    public void accept(Trainer.Progress p) {
        boolean last = p.step() == p.maxSteps();
        boolean evaluated = !Float.isNaN(p.validationLoss());
        if (inPlace) {
            out.print("\r" + format(p) + (last ? "\n" : ""));
            if (evaluated && !last) out.print("\n"); // keep each validation result on screen
        } else if (last || evaluated || p.step() % everySteps == 0) {
            out.println(format(p));
        }
        out.flush();
    }

    static String format(Trainer.Progress p) {
        int filled = (int) ((long) WIDTH * p.step() / Math.max(1, p.maxSteps()));
        String bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
        int digits = String.valueOf(p.maxSteps()).length();
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "step %" + digits + "d/%d [%s] loss %.4f",
                p.step(), p.maxSteps(), bar, p.loss()));
        if (!Float.isNaN(p.validationLoss())) s.append(String.format(Locale.ROOT, " val %.4f", p.validationLoss()));
        s.append(String.format(Locale.ROOT, " lr %.1e %s tok/s ETA %s", p.learningRate(), rate(p.tokensPerSecond()),
                duration(p.eta())));
        return s.toString();
    }

    private static String rate(double perSecond) {
        if (perSecond >= 1e6) return String.format(Locale.ROOT, "%.1fM", perSecond / 1e6);
        if (perSecond >= 1e3) return String.format(Locale.ROOT, "%.1fk", perSecond / 1e3);
        return String.format(Locale.ROOT, "%.0f", perSecond);
    }

    private static String duration(Duration d) {
        long s = d.getSeconds();
        if (s >= 3600) return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
        if (s >= 60) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return s + "s";
    }
}
