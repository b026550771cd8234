package io.latentwatch.trainer.internal;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar for epochs: redrawn in place on a terminal, one line per epoch otherwise (logs
 * and CI keep a readable record).
 */
public final class ProgressBar {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private final boolean interactive;
    private final int epochs;

    public ProgressBar(PrintStream out, int epochs) {
        this.out = out;
        this.interactive = System.console() != null;
        this.epochs = epochs;
    }

    /** Redraws the bar within an epoch (terminal only, so logs are not flooded). */
    public void step(int epoch, long done, long total, double loss, double rowsPerSecond) {
        if (interactive) {
            out.print("\r" + line(epoch, done, total, loss, Double.NaN, rowsPerSecond));
            out.flush();
        }
    }

    /** Ends an epoch with its training and validation loss. */
    public void endEpoch(int epoch, long total, double loss, double validationLoss, double rowsPerSecond) {
        out.print((interactive ? "\r" : "") + line(epoch, total, total, loss, validationLoss, rowsPerSecond) + "\n");
        out.flush();
    }

    private String line(int epoch, long done, long total, double loss, double validationLoss, double rowsPerSecond) {
        int filled = total == 0 ? WIDTH : (int) (WIDTH * done / total);
        String bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
        String val = Double.isNaN(validationLoss) ? "" : String.format(Locale.ROOT, " val_loss=%.5f", validationLoss);
        return String.format(Locale.ROOT, "epoch %3d/%d [%s] %3d%% loss=%.5f%s %,.0f rows/s",
                epoch, epochs, bar, total == 0 ? 100 : 100 * done / total, loss, val, rowsPerSecond);
    }
}
