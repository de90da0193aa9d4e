package org.softmax4j.cli;

import java.io.PrintWriter;
import java.util.Locale;

import org.softmax4j.train.IterationRecord;
import org.softmax4j.train.TrainingListener;

/**
 * Training progress on stderr. On a terminal: a bar redrawn in place, shown only once the work has run for a second.
 * Elsewhere: a plain line at the start and at every tenth of the iterations.
 */
final class Progress implements TrainingListener {
    private static final double SHOW_AFTER_SECONDS = 1.0;
    private static final int BAR_WIDTH = 30;

    private final PrintWriter err;
    private final boolean terminal;
    private long lastDrawNanos;
    private int lastPlainIteration = -1;
    private boolean drewBar;
    private String step = "";

    Progress(PrintWriter err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /** Whether stderr is probably a terminal: the JVM has a console and TERM is not "dumb". */
    static boolean onTerminal() {
        return System.console() != null && !"dumb".equals(System.getenv("TERM"));
    }

    @Override
    public void onIteration(IterationRecord record, int maxIterations) {
        if (terminal) {
            drawBar(record, maxIterations);
        } else {
            plainLine(record, maxIterations);
        }
    }

    @Override
    public void onStep(org.softmax4j.train.StepReport step) {
        if (!terminal) {
            err.println(TrainCommand.stepSummary(step));
            err.flush();
        }
        this.step = String.format(Locale.ROOT, "eta %.4g  ", step.chosen());
    }

    private void drawBar(IterationRecord record, int maxIterations) {
        long now = System.nanoTime();
        if (record.seconds() < SHOW_AFTER_SECONDS || now - lastDrawNanos < 100_000_000L) {
            return;
        }
        lastDrawNanos = now;
        double fraction = maxIterations == 0 ? 1 : Math.min(1, (double) record.iteration() / maxIterations);
        int filled = (int) Math.round(fraction * BAR_WIDTH);
        err.print(String.format(Locale.ROOT, "\r[%s%s] %3.0f%% iteration %d/%d  %sF %.6g  train accuracy %.4f  %.1fs ",
                "#".repeat(filled), " ".repeat(BAR_WIDTH - filled), 100 * fraction, record.iteration(),
                maxIterations, step, record.objective(), record.trainAccuracy(), record.seconds()));
        err.flush();
        drewBar = true;
    }

    private void plainLine(IterationRecord record, int maxIterations) {
        int every = Math.max(1, maxIterations / 10);
        if (record.iteration() != 0 && record.iteration() - lastPlainIteration < every) {
            return;
        }
        lastPlainIteration = record.iteration();
        err.println(line(record, maxIterations));
        err.flush();
    }

    static String line(IterationRecord record, int maxIterations) {
        return String.format(Locale.ROOT,
                "iteration %d/%d: objective %.8g, log-likelihood %.8g, gradient norm per example %.3g, max|dF| %.3g, "
                        + "train accuracy %.4f, %.2fs",
                record.iteration(), maxIterations, record.objective(), record.logLikelihood(), record.gradientNorm(),
                record.gradientMaxAbs(), record.trainAccuracy(), record.seconds());
    }

    /** Ends the bar's line, if one was drawn. */
    void finish() {
        if (drewBar) {
            err.println();
            err.flush();
        }
    }
}
