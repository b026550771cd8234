package io.latentwatch.core.scoring;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * How unusual a score is for the entity that produced it: the tail probability of the record's log score (averaged
 * with the entity's latest ones, below) under a Gaussian fitted, with exponential forgetting, to the entity's own
 * earlier log scores (the idea of HTM's anomaly likelihood, on reconstruction scores).
 *
 * <p>Why: a reconstruction score says how far a record is from what the model learnt, and a fixed threshold on it
 * fires on every record of an entity that drifted away from its training data, and never on a subtle change of an
 * entity whose scores are always low. The likelihood asks instead whether the score is unusual for this entity
 * lately, so alerts follow changes of behaviour. Log scores, because reconstruction errors are heavy-tailed.
 *
 * <p>A record is judged by the mean of its entity's last {@code shortTerm} log scores (its own included), as HTM
 * averages its recent raw scores: the mean's standard error is the spread of single log scores over
 * {@code sqrt(n)}, so a change that lasts a few records stands out more than one noisy record, and a single
 * outlier still does when it is far enough out. Window models' scores are correlated from record to record, so
 * the tail is smaller than a true probability; thresholds are set with that in mind.
 *
 * <p>Pure and O(shortTerm) per record: the caller keeps one {@link State} per entity (32 bytes plus 8 per recent log
 * score) in a state store. The first {@code minHistory} records of an entity only fill its statistics (likelihood
 * 0.5, log score 0). A record is scored against the statistics before it, then added to them, so a lasting change
 * stops being unusual after about {@code history} records.
 */
public final class AnomalyLikelihood {
    /** Floor of the standard deviation of log scores, so an entity with constant scores is not infinitely sure. */
    static final double MIN_STD = 1e-3;
    /** Floor of a score before its logarithm (scores of 0 happen on constant data). */
    static final double MIN_SCORE = 1e-12;
    /** The smallest tail probability told apart; {@link #logScore} maps it to 1. */
    static final double EPSILON = 1e-10;

    private AnomalyLikelihood() {}

    /**
     * How the statistics forget and warm up, how many recent records a record is judged with, and how far one record
     * may move them.
     *
     * @param history records over which the statistics forget (weight 1/history for each new record)
     * @param minHistory records an entity sends before its likelihood is computed
     * @param shortTerm log scores averaged to judge a record: its own and the entity's ones before it (1: the
     *     record's own alone)
     * @param clipStd once an entity is warm, a log score's step into the statistics is clipped at this many standard
     *     deviations from their mean, so anomalies do not inflate the spread that later ones are judged against; a
     *     lasting change still moves them, more slowly (0: no clipping)
     */
    public record Settings(int history, int minHistory, int shortTerm, double clipStd) {
        /** The largest {@code shortTerm}: each recent log score is kept in the entity's state. */
        public static final int MAX_SHORT_TERM = 1000;

        public Settings {
            if (history < 2 || minHistory < 1 || shortTerm < 1 || shortTerm > MAX_SHORT_TERM
                    || !(clipStd == 0 || clipStd >= 1) || Double.isInfinite(clipStd)) {
                throw new IllegalArgumentException("history must be at least 2, minHistory at least 1, shortTerm in "
                        + "[1, " + MAX_SHORT_TERM + "] and clipStd 0 or at least 1: history=" + history
                        + " minHistory=" + minHistory + " shortTerm=" + shortTerm + " clipStd=" + clipStd);
            }
        }
    }

    /**
     * One entity's statistics of log scores.
     *
     * @param count records seen
     * @param mean running mean of log scores
     * @param variance running variance of log scores
     * @param recent the entity's latest log scores, oldest first (at most {@link Settings#MAX_SHORT_TERM}; a copy is
     *     kept, and the accessor returns one)
     */
    public record State(long count, double mean, double variance, double[] recent) {
        /** An entity never seen. */
        public static final State EMPTY = new State(0, 0, 0, new double[0]);
        /** The first release's form: count, mean and variance only. */
        private static final byte FORMAT_WITHOUT_RECENT = 1;
        private static final byte FORMAT = 2;
        private static final int FIXED_BYTES = 1 + Long.BYTES + 2 * Double.BYTES;

        public State {
            if (count < 0 || !Double.isFinite(mean) || !(variance >= 0) || Double.isInfinite(variance)
                    || recent == null || recent.length > Settings.MAX_SHORT_TERM) {
                throw new IllegalArgumentException("not a likelihood state: count=" + count + " mean=" + mean
                        + " variance=" + variance + " recent=" + (recent == null ? null : recent.length));
            }
            recent = recent.clone();
        }

        @Override
        public double[] recent() {
            return recent.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof State s && count == s.count && Double.compare(mean, s.mean) == 0
                    && Double.compare(variance, s.variance) == 0 && Arrays.equals(recent, s.recent);
        }

        @Override
        public int hashCode() {
            return 31 * Objects.hash(count, mean, variance) + Arrays.hashCode(recent);
        }

        @Override
        public String toString() {
            return "State[count=" + count + ", mean=" + mean + ", variance=" + variance + ", recent="
                    + Arrays.toString(recent) + "]";
        }

        /** The form kept in a state store. */
        public byte[] toBytes() {
            ByteBuffer b = ByteBuffer.allocate(FIXED_BYTES + Short.BYTES + recent.length * Double.BYTES)
                    .put(FORMAT).putLong(count).putDouble(mean).putDouble(variance).putShort((short) recent.length);
            for (double x : recent) {
                b.putDouble(x);
            }
            return b.array();
        }

        /** Reads what {@link #toBytes()} wrote, and the first release's form (no recent log scores). */
        public static State fromBytes(byte[] bytes) {
            boolean legacy = bytes.length == FIXED_BYTES && bytes[0] == FORMAT_WITHOUT_RECENT;
            if (!legacy && (bytes.length < FIXED_BYTES + Short.BYTES || bytes[0] != FORMAT)) {
                throw new IllegalArgumentException("not a likelihood state (" + bytes.length + " bytes)");
            }
            ByteBuffer b = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
            long count = b.getLong();
            double mean = b.getDouble();
            double variance = b.getDouble();
            if (legacy) {
                return new State(count, mean, variance, new double[0]);
            }
            int n = b.getShort();
            if (n < 0 || b.remaining() != n * Double.BYTES) {
                throw new IllegalArgumentException("not a likelihood state (" + bytes.length + " bytes, " + n
                        + " recent log scores)");
            }
            double[] recent = new double[n];
            for (int i = 0; i < n; i++) {
                recent[i] = b.getDouble();
            }
            return new State(count, mean, variance, recent);
        }
    }

    /**
     * One record's outcome.
     *
     * @param likelihood probability, under the entity's statistics, that a mean of as many log scores is below the
     *     mean of this record's and its recent ones (0.5 while warming up)
     * @param logScore the likelihood spread over [0, 1]: {@code log(1 + EPSILON - likelihood) / log(EPSILON)}; 0.3
     *     is a tail of about 1e-3, 0.5 about 1e-5, 0.7 about 1e-7 (0 while warming up)
     * @param next the entity's statistics with this record added
     */
    public record Result(double likelihood, double logScore, State next) {}

    /**
     * Scores {@code score}, with the entity's recent ones, against the entity's statistics {@code before}, then adds
     * it to them.
     */
    public static Result observe(Settings settings, State before, double score) {
        if (!Double.isFinite(score)) {
            throw new IllegalArgumentException("score must be finite: " + score);
        }
        double x = Math.log(Math.max(score, MIN_SCORE));
        double[] previous = before.recent;
        int kept = Math.min(previous.length, settings.shortTerm() - 1);
        double[] recent = Arrays.copyOfRange(previous, previous.length - kept, previous.length + 1);
        recent[kept] = x;
        double likelihood = 0.5;
        double logScore = 0;
        if (before.count() >= settings.minHistory()) {
            double sum = 0;
            for (double r : recent) {
                sum += r;
            }
            double standardError = Math.max(Math.sqrt(before.variance()), MIN_STD) / Math.sqrt(recent.length);
            double tail = upperTail((sum / recent.length - before.mean()) / standardError);
            likelihood = 1 - tail;
            logScore = logScore(tail);
        }
        double w = Math.max(1.0 / settings.history(), 1.0 / (before.count() + 1));
        double d = x - before.mean();
        if (settings.clipStd() > 0 && before.count() >= settings.minHistory()) {
            double limit = settings.clipStd() * Math.max(Math.sqrt(before.variance()), MIN_STD);
            d = Math.max(-limit, Math.min(limit, d));
        }
        double mean = before.mean() + w * d;
        double variance = (1 - w) * (before.variance() + w * d * d);
        return new Result(likelihood, logScore, new State(before.count() + 1, mean, variance, recent));
    }

    /** Maps a tail probability to [0, 1], 1 for tails at or below {@link #EPSILON}. */
    static double logScore(double tail) {
        // A tail of 1 would give a tiny negative number (log of 1 + EPSILON): scores stay in [0, 1].
        return Math.max(0.0, Math.min(1.0, Math.log(tail + EPSILON) / Math.log(EPSILON)));
    }

    /** P(Z > z) for a standard normal Z, with relative error below 1.2e-7 also far in the tail. */
    static double upperTail(double z) {
        return 0.5 * erfc(z / Math.sqrt(2));
    }

    /** Complementary error function (Chebyshev fit, Numerical Recipes' erfcc; fractional error below 1.2e-7). */
    private static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2.0 - r;
    }
}
