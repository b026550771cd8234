package io.latentwatch.core.scoring;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * Whether a record's values lie outside the range its entity has shown so far: per feature, the smallest and largest
 * value seen, widened on both sides by {@code tolerance} times their distance (the "spatial anomaly" of Numenta's
 * NAB detector).
 *
 * <p>Why beside the model's score: a value never seen before (a metric above its all-time high, a sensor below its
 * floor) is what operators most want to hear about, yet a window model dilutes one such value among the window's
 * others and the likelihood waits for it to last a few records. The range check says it at the first record.
 *
 * <p>Pure: the caller keeps one {@link State} per entity (16 bytes per feature) in a state store. The first
 * {@code minHistory} records of an entity only build its range; a feature whose values have all been equal has no
 * range yet and is never outside it. A record is checked against the range before it, then widens it.
 */
public final class ValueRange {
    private ValueRange() {}

    /**
     * How wide the accepted range is and when checks start.
     *
     * @param tolerance share of a feature's seen range (largest minus smallest value) added on each side before a
     *     value counts as outside; 0 turns the check off
     * @param minHistory records an entity sends before its values are checked
     */
    public record Settings(double tolerance, int minHistory) {
        /** No range check. */
        public static final Settings OFF = new Settings(0, 1);

        public Settings {
            if (!(tolerance >= 0 && tolerance <= 100) || minHistory < 1) {
                throw new IllegalArgumentException("tolerance must lie in [0, 100] (0: off) and minHistory be at least 1: "
                        + "tolerance=" + tolerance + " minHistory=" + minHistory);
            }
        }

        /** Whether records are checked at all. */
        public boolean enabled() {
            return tolerance > 0;
        }
    }

    /**
     * One entity's seen range.
     *
     * @param count records seen
     * @param min smallest value of each feature (a copy is kept, and the accessor returns one)
     * @param max largest value of each feature (a copy is kept, and the accessor returns one)
     */
    public record State(long count, double[] min, double[] max) {
        /** An entity never seen. */
        public static final State EMPTY = new State(0, new double[0], new double[0]);
        private static final byte FORMAT = 1;

        public State {
            if (count < 0 || min == null || max == null || min.length != max.length || (count == 0) != (min.length == 0)) {
                throw new IllegalArgumentException("not a value range: count=" + count + " features="
                        + (min == null ? null : min.length) + "/" + (max == null ? null : max.length));
            }
            min = min.clone();
            max = max.clone();
        }

        @Override
        public double[] min() {
            return min.clone();
        }

        @Override
        public double[] max() {
            return max.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof State s && count == s.count && Arrays.equals(min, s.min) && Arrays.equals(max, s.max);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * Long.hashCode(count) + Arrays.hashCode(min)) + Arrays.hashCode(max);
        }

        @Override
        public String toString() {
            return "State[count=" + count + ", min=" + Arrays.toString(min) + ", max=" + Arrays.toString(max) + "]";
        }

        /** The form kept in a state store: a format byte, the count, the number of features, then min and max pairs. */
        public byte[] toBytes() {
            ByteBuffer b = ByteBuffer.allocate(1 + Long.BYTES + Integer.BYTES + 2 * min.length * Double.BYTES)
                    .put(FORMAT).putLong(count).putInt(min.length);
            for (int i = 0; i < min.length; i++) {
                b.putDouble(min[i]).putDouble(max[i]);
            }
            return b.array();
        }

        /** Reads what {@link #toBytes()} wrote. */
        public static State fromBytes(byte[] bytes) {
            int fixed = 1 + Long.BYTES + Integer.BYTES;
            if (bytes.length < fixed || bytes[0] != FORMAT) {
                throw new IllegalArgumentException("not a value range (" + bytes.length + " bytes)");
            }
            ByteBuffer b = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
            long count = b.getLong();
            int n = b.getInt();
            if (n < 0 || b.remaining() != (long) n * 2 * Double.BYTES) {
                throw new IllegalArgumentException("not a value range (" + bytes.length + " bytes, " + n + " features)");
            }
            double[] min = new double[n];
            double[] max = new double[n];
            for (int i = 0; i < n; i++) {
                min[i] = b.getDouble();
                max[i] = b.getDouble();
            }
            return new State(count, min, max);
        }
    }

    /**
     * One record's outcome.
     *
     * @param outside indices of the features whose value lies outside the widened range, ascending (empty while the
     *     entity warms up)
     * @param next the entity's range with this record's values added
     */
    public record Result(int[] outside, State next) {
        public Result {
            outside = outside.clone();
            Objects.requireNonNull(next, "next");
        }

        @Override
        public int[] outside() {
            return outside.clone();
        }

        /** Whether any feature lies outside its range. */
        public boolean anyOutside() {
            return outside.length > 0;
        }
    }

    /** Checks {@code values} against the entity's range {@code before}, then widens it by them. */
    public static Result observe(Settings settings, State before, float[] values) {
        if (before.count() > 0 && values.length != before.min.length) {
            throw new IllegalArgumentException("the entity's range has " + before.min.length + " features, the record "
                    + values.length);
        }
        double[] min = before.count() == 0 ? new double[values.length] : before.min.clone();
        double[] max = before.count() == 0 ? new double[values.length] : before.max.clone();
        int[] outside = new int[values.length];
        int found = 0;
        boolean checked = settings.enabled() && before.count() >= settings.minHistory();
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("value " + i + " is not finite: " + v);
            }
            if (before.count() == 0) {
                min[i] = v;
                max[i] = v;
                continue;
            }
            double width = max[i] - min[i];
            if (checked && width > 0 && (v > max[i] + settings.tolerance() * width
                    || v < min[i] - settings.tolerance() * width)) {
                outside[found++] = i;
            }
            min[i] = Math.min(min[i], v);
            max[i] = Math.max(max[i], v);
        }
        return new Result(Arrays.copyOf(outside, found), new State(before.count() + 1, min, max));
    }
}
