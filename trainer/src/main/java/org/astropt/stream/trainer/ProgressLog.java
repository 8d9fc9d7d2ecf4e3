package org.astropt.stream.trainer;

import java.io.PrintWriter;
import java.util.Locale;
import org.astropt.stream.core.model.ProgressBar;
import org.astropt.stream.core.model.Trainer;

/**
 * Training progress for people and for log collectors: on a terminal core's {@link ProgressBar} (loss,
 * tokens/s, ETA, redrawn in place); elsewhere one structured line every everySteps steps and per version,
 * e.g. {@code trainer round=2 step=40/200 loss=0.41230 lr=9.8e-04 tokens_per_s=15320 eta_s=31}.
 */
public final class ProgressLog implements ContinuousTrainer.Listener {

    private final PrintWriter out;
    private final ProgressBar bar;
    private final int everySteps;

    /** @param terminal redraw a progress bar in place; else structured lines */
    public ProgressLog(PrintWriter out, boolean terminal, int everySteps) {
        this.out = out;
        this.bar = terminal ? new ProgressBar(out, true, everySteps) : null;
        this.everySteps = Math.max(1, everySteps);
    }

    @Override
    public void progress(long round, Trainer.Progress p) {
        if (bar != null) {
            bar.accept(p);
        } else if (p.step() % everySteps == 0 || p.step() == p.maxSteps()) {
            out.println(line(round, p));
            out.flush();
        }
    }

    @Override
    public void published(RoundResult r) {
        out.println(line(r));
        out.flush();
    }

    static String line(long round, Trainer.Progress p) {
        return String.format(Locale.ROOT, "trainer round=%d step=%d/%d loss=%.5f lr=%.1e tokens_per_s=%.0f eta_s=%d",
                round, p.step(), p.maxSteps(), p.loss(), p.learningRate(), p.tokensPerSecond(), p.eta().getSeconds());
    }

    /** One structured line of a published round, e.g. {@code trainer round=2 version=3 status=PROMOTED heldout_loss=...}. */
    public static String line(RoundResult r) {
        return String.format(Locale.ROOT, "trainer round=%d version=%d status=%s heldout_loss=%.5f promoted_version=%s"
                        + " promoted_heldout_loss=%s sha256=%s folder=%s", r.round(), r.version(), r.status(), r.heldOutLoss(),
                r.promotedVersion() == null ? "none" : r.promotedVersion(),
                Double.isNaN(r.promotedHeldOutLoss()) ? "none" : String.format(Locale.ROOT, "%.5f", r.promotedHeldOutLoss()),
                r.sha256(), r.folder());
    }
}
