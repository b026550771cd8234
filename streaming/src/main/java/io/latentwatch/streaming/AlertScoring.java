package io.latentwatch.streaming;

import io.latentwatch.core.bundle.Thresholds;
import io.latentwatch.core.scoring.AnomalyLikelihood;
import io.latentwatch.core.scoring.DaySlots;
import io.latentwatch.core.scoring.ValueRange;
import java.util.Locale;
import java.util.Objects;

/**
 * Which score alerts are raised on ({@code alerts.score}).
 *
 * <ul>
 *   <li>{@link Basis#RECONSTRUCTION}: the model's reconstruction score against the bundle's calibrated (or the
 *       overridden) thresholds. Right when every entity behaves like the training data.</li>
 *   <li>{@link Basis#LIKELIHOOD}: the {@link AnomalyLikelihood anomaly likelihood} of the reconstruction score,
 *       kept per entity, against {@code likelihoodWarning} and {@code likelihoodCritical} (log scores in [0, 1]).
 *       Right for time series that drift and entities that differ from each other: an alert means "unusual for
 *       this entity lately".</li>
 * </ul>
 *
 * @param basis what alerts are raised on
 * @param likelihood how the per-entity statistics forget and warm up (used with {@link Basis#LIKELIHOOD})
 * @param likelihoodDailySlots with {@link Basis#LIKELIHOOD}, slots of the day with statistics of their own
 *     ({@link io.latentwatch.core.scoring.DailyLikelihood}): a record's log score is then the smaller of the entity's
 *     and its slot's, so it must be unusual both lately and for its time of day (0: none)
 * @param likelihoodWarning log score strictly above which a record is anomalous
 * @param likelihoodCritical log score strictly above which a record is CRITICAL
 * @param range beside either basis, whether a record with a value outside the range its entity has shown is anomalous
 *     (CRITICAL) whatever its score; {@link ValueRange.Settings#OFF} for no check
 */
public record AlertScoring(Basis basis, AnomalyLikelihood.Settings likelihood, int likelihoodDailySlots,
                           double likelihoodWarning, double likelihoodCritical, ValueRange.Settings range) {
    /**
     * Alerts on the reconstruction score (the default). The likelihood's defaults judge each record alone, right for
     * records that stand alone (transactions, tabular rows); time series scored over windows do better with a long
     * memory, the mean of a few recent log scores, statistics clipped against outliers and thresholds far in the tail
     * (what {@code latentwatch nab} runs, README). No range check.
     */
    public static final AlertScoring RECONSTRUCTION =
            new AlertScoring(Basis.RECONSTRUCTION, new AnomalyLikelihood.Settings(250, 100, 1, 0), 0, 0.3, 0.5,
                    new ValueRange.Settings(0, 100, 0, 1.0, 0, 0.1));

    /** What alerts are raised on. */
    public enum Basis {
        RECONSTRUCTION,
        LIKELIHOOD;

        /** The value of {@code alerts.score}. */
        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public AlertScoring {
        Objects.requireNonNull(basis, "basis");
        Objects.requireNonNull(likelihood, "likelihood");
        Objects.requireNonNull(range, "range");
        if (likelihoodDailySlots < 0 || likelihoodDailySlots > DaySlots.MAX) {
            throw new IllegalArgumentException("likelihoodDailySlots must lie in [0, " + DaySlots.MAX + "]: "
                    + likelihoodDailySlots);
        }
        if (!(likelihoodWarning > 0 && likelihoodWarning <= likelihoodCritical && likelihoodCritical < 1)) {
            throw new IllegalArgumentException("need 0 < likelihoodWarning <= likelihoodCritical < 1: "
                    + likelihoodWarning + ", " + likelihoodCritical);
        }
    }

    /** Whether alerts are raised on the per-entity likelihood. */
    public boolean onLikelihood() {
        return basis == Basis.LIKELIHOOD;
    }

    /** Whether the likelihood also keeps statistics per slot of the day. */
    public boolean dailyLikelihood() {
        return onLikelihood() && likelihoodDailySlots > 0;
    }

    /** The thresholds on the log score (NaN quantiles: they are not taken from an error distribution). */
    public Thresholds likelihoodThresholds() {
        return new Thresholds(likelihoodWarning, likelihoodCritical, Double.NaN, Double.NaN);
    }
}
