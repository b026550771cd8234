package io.latentwatch.trainer.retrain;

import java.util.Locale;

/**
 * When a challenger replaces its champion: it must be better or equal, within tolerances.
 *
 * <ul>
 *   <li>With labels in the held-back slice: challenger AUROC &ge; champion AUROC &minus; {@code aurocTolerance}.</li>
 *   <li>Without: on recent data taken as normal (records in alert episodes left out), the challenger flags no more of
 *       it at the champion's warning threshold: challenger alert rate &le; champion alert rate +
 *       {@code alertRateTolerance}.</li>
 *   <li>Always: the score distributions differ by at most {@code maxScoreShift} (Kolmogorov-Smirnov distance; 1 sets
 *       no limit), so that a challenger that scores on another scale altogether can be held back for a person.</li>
 * </ul>
 *
 * @param alertRateTolerance how much higher the challenger's alert rate may be, in [0, 1]
 * @param aurocTolerance how much lower the challenger's AUROC may be, in [0, 1]
 * @param maxScoreShift largest score distribution shift allowed, in [0, 1]
 */
public record PromotionPolicy(double alertRateTolerance, double aurocTolerance, double maxScoreShift) {

    public PromotionPolicy {
        check("alertRateTolerance", alertRateTolerance);
        check("aurocTolerance", aurocTolerance);
        check("maxScoreShift", maxScoreShift);
    }

    private static void check(String name, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException(name + " must lie in [0, 1]: " + v);
        }
    }

    /** Better or equal, no tolerance, no limit on the shift. */
    public static PromotionPolicy defaults() {
        return new PromotionPolicy(0, 0, 1);
    }

    /** The verdict on a comparison and why. */
    public record Verdict(boolean promote, String reason) {}

    public Verdict judge(ModelComparison c) {
        if (c.scoreShift() > maxScoreShift) {
            return new Verdict(false, String.format(Locale.ROOT, "score distribution shift %.4f is above the limit %.4f",
                    c.scoreShift(), maxScoreShift));
        }
        if (c.championAuroc().isPresent() && c.challengerAuroc().isPresent()) {
            double a = c.championAuroc().getAsDouble();
            double b = c.challengerAuroc().getAsDouble();
            boolean ok = b >= a - aurocTolerance;
            return new Verdict(ok, String.format(Locale.ROOT, "challenger AUROC %.4f %s champion AUROC %.4f - tolerance %.4f",
                    b, ok ? ">=" : "<", a, aurocTolerance));
        }
        boolean ok = c.challengerAlertRate() <= c.championAlertRate() + alertRateTolerance;
        return new Verdict(ok, String.format(Locale.ROOT,
                "challenger alert rate %.4f at the champion's threshold %s champion's %.4f + tolerance %.4f",
                c.challengerAlertRate(), ok ? "<=" : ">", c.championAlertRate(), alertRateTolerance));
    }
}
