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
 * <p>With {@code dailySlots} above 0 the day (UTC, by the record's event time) is also cut into that many slots, and
 * each slot keeps its own range: a value ordinary at noon can be unheard of at 3 a.m. (a daily job that did not run,
 * traffic at night as high as by day). A slot's range is narrower than the whole range, so it gets its own, wider
 * tolerance ({@code dailyTolerance}).
 *
 * <p>Pure: the caller keeps one {@link State} per entity (16 bytes per feature, per slot again) in a state store.
 * The first {@code minHistory} records of an entity only build its range, and a slot is checked once it has seen its
 * share of them ({@code minHistory / dailySlots}, rounded up); a feature whose values have all been equal has no
 * range yet and is never outside it. A record is checked against the ranges before it, then widens them.
 */
public final class ValueRange {
    private ValueRange() {}

    /**
     * How wide the accepted range is and when checks start.
     *
     * @param tolerance share of a feature's seen range (largest minus smallest value) added on each side before a
     *     value counts as outside; 0 turns the check off
     * @param minHistory records an entity sends before its values are checked
     * @param dailySlots slots of the day with a range each (0: none)
     * @param dailyTolerance share of a slot's range added on each side before a value counts as outside it
     */
    public record Settings(double tolerance, int minHistory, int dailySlots, double dailyTolerance) {
        /** No range check. */
        public static final Settings OFF = new Settings(0, 1);
        /** The most slots of a day (15 minutes each). */
        public static final int MAX_DAILY_SLOTS = 96;

        public Settings {
            if (!(tolerance >= 0 && tolerance <= 100) || minHistory < 1 || dailySlots < 0 || dailySlots > MAX_DAILY_SLOTS
                    || !(dailyTolerance >= 0 && dailyTolerance <= 100)) {
                throw new IllegalArgumentException("tolerance and dailyTolerance must lie in [0, 100], minHistory be at "
                        + "least 1 and dailySlots in [0, " + MAX_DAILY_SLOTS + "]: tolerance=" + tolerance + " minHistory="
                        + minHistory + " dailySlots=" + dailySlots + " dailyTolerance=" + dailyTolerance);
            }
        }

        /** The whole range only. */
        public Settings(double tolerance, int minHistory) {
            this(tolerance, minHistory, 0, 0);
        }

        /** Whether records are checked at all. */
        public boolean enabled() {
            return tolerance > 0 || dailySlots > 0;
        }

        /** Records a slot must have seen before its values are checked. */
        int slotMinHistory() {
            return (minHistory + dailySlots - 1) / dailySlots;
        }
    }

    /**
     * One entity's seen ranges.
     *
     * @param count records seen
     * @param min smallest value of each feature (a copy is kept, and the accessor returns one)
     * @param max largest value of each feature (a copy is kept, and the accessor returns one)
     * @param slotCount records seen in each slot of the day (empty without slots)
     * @param slotMin smallest value of each feature in each slot, slot after slot (features per slot)
     * @param slotMax largest value of each feature in each slot, laid out as {@code slotMin}
     */
    public record State(long count, double[] min, double[] max, long[] slotCount, double[] slotMin, double[] slotMax) {
        /** An entity never seen. */
        public static final State EMPTY = new State(0, new double[0], new double[0]);
        /** The first release's form: the whole range only. */
        private static final byte FORMAT_WHOLE_RANGE = 1;
        private static final byte FORMAT = 2;

        public State {
            if (count < 0 || min == null || max == null || min.length != max.length || (count == 0) != (min.length == 0)
                    || slotCount == null || slotMin == null || slotMax == null || slotMin.length != slotMax.length
                    || slotMin.length != slotCount.length * min.length) {
                throw new IllegalArgumentException("not a value range: count=" + count + " features="
                        + (min == null ? null : min.length) + "/" + (max == null ? null : max.length) + " slots="
                        + (slotCount == null ? null : slotCount.length));
            }
            min = min.clone();
            max = max.clone();
            slotCount = slotCount.clone();
            slotMin = slotMin.clone();
            slotMax = slotMax.clone();
        }

        /** A state without slots. */
        public State(long count, double[] min, double[] max) {
            this(count, min, max, new long[0], new double[0], new double[0]);
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
        public long[] slotCount() {
            return slotCount.clone();
        }

        @Override
        public double[] slotMin() {
            return slotMin.clone();
        }

        @Override
        public double[] slotMax() {
            return slotMax.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof State s && count == s.count && Arrays.equals(min, s.min) && Arrays.equals(max, s.max)
                    && Arrays.equals(slotCount, s.slotCount) && Arrays.equals(slotMin, s.slotMin)
                    && Arrays.equals(slotMax, s.slotMax);
        }

        @Override
        public int hashCode() {
            return Objects.hash(count, Arrays.hashCode(min), Arrays.hashCode(max), Arrays.hashCode(slotCount),
                    Arrays.hashCode(slotMin), Arrays.hashCode(slotMax));
        }

        @Override
        public String toString() {
            return "State[count=" + count + ", min=" + Arrays.toString(min) + ", max=" + Arrays.toString(max)
                    + ", slotCount=" + Arrays.toString(slotCount) + "]";
        }

        /**
         * The form kept in a state store: a format byte, the count, the number of features, min and max pairs, the
         * number of slots, then each slot's count and min and max pairs.
         */
        public byte[] toBytes() {
            int slots = slotCount.length;
            ByteBuffer b = ByteBuffer.allocate(1 + Long.BYTES + Integer.BYTES + 2 * min.length * Double.BYTES
                    + Integer.BYTES + slots * Long.BYTES + 2 * slotMin.length * Double.BYTES)
                    .put(FORMAT).putLong(count).putInt(min.length);
            putPairs(b, min, max, 0, min.length);
            b.putInt(slots);
            for (int k = 0; k < slots; k++) {
                b.putLong(slotCount[k]);
                putPairs(b, slotMin, slotMax, k * min.length, min.length);
            }
            return b.array();
        }

        /** Writes {@code n} (min, max) pairs from index {@code from}. */
        private static void putPairs(ByteBuffer b, double[] min, double[] max, int from, int n) {
            for (int i = from; i < from + n; i++) {
                b.putDouble(min[i]).putDouble(max[i]);
            }
        }

        /** Reads {@code n} (min, max) pairs into index {@code from} on. */
        private static void getPairs(ByteBuffer b, double[] min, double[] max, int from, int n) {
            for (int i = from; i < from + n; i++) {
                min[i] = b.getDouble();
                max[i] = b.getDouble();
            }
        }

        /** Reads what {@link #toBytes()} wrote, and the first release's form (no slots). */
        public static State fromBytes(byte[] bytes) {
            int fixed = 1 + Long.BYTES + Integer.BYTES;
            if (bytes.length < fixed || (bytes[0] != FORMAT && bytes[0] != FORMAT_WHOLE_RANGE)) {
                throw new IllegalArgumentException("not a value range (" + bytes.length + " bytes)");
            }
            try {
                ByteBuffer b = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
                long count = b.getLong();
                int n = b.getInt();
                if (n < 0 || n > b.remaining()) {
                    throw new IllegalArgumentException("not a value range (" + bytes.length + " bytes, " + n + " features)");
                }
                double[] min = new double[n];
                double[] max = new double[n];
                getPairs(b, min, max, 0, n);
                int slots = bytes[0] == FORMAT_WHOLE_RANGE ? 0 : b.getInt();
                if (slots < 0 || slots > Settings.MAX_DAILY_SLOTS) {
                    throw new IllegalArgumentException("not a value range (" + slots + " slots)");
                }
                long[] slotCount = new long[slots];
                double[] slotMin = new double[slots * n];
                double[] slotMax = new double[slots * n];
                for (int k = 0; k < slots; k++) {
                    slotCount[k] = b.getLong();
                    getPairs(b, slotMin, slotMax, k * n, n);
                }
                if (b.hasRemaining()) {
                    throw new IllegalArgumentException("not a value range (" + b.remaining() + " bytes left over)");
                }
                return new State(count, min, max, slotCount, slotMin, slotMax);
            } catch (java.nio.BufferUnderflowException e) {
                throw new IllegalArgumentException("not a value range (" + bytes.length + " bytes: too short)");
            }
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

    /** {@link #observe(Settings, State, float[], long)} without slots of the day (the time does not matter). */
    public static Result observe(Settings settings, State before, float[] values) {
        if (settings.dailySlots() > 0) {
            throw new IllegalArgumentException("slots of the day need the record's time");
        }
        return observe(settings, before, values, 0L);
    }

    /**
     * Checks {@code values}, of a record at {@code eventTimeMillis}, against the entity's ranges {@code before}, then
     * widens them by them.
     */
    public static Result observe(Settings settings, State before, float[] values, long eventTimeMillis) {
        int n = values.length;
        if (before.count() > 0 && n != before.min.length) {
            throw new IllegalArgumentException("the entity's range has " + before.min.length + " features, the record "
                    + n);
        }
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException("value " + i + " is not finite: " + values[i]);
            }
        }
        int slots = settings.dailySlots();
        double[] min = before.count() == 0 ? new double[n] : before.min.clone();
        double[] max = before.count() == 0 ? new double[n] : before.max.clone();
        // A change of dailySlots starts the slots afresh; the whole range is kept.
        boolean slotsKept = before.slotCount.length == slots && before.count() > 0;
        long[] slotCount = slotsKept ? before.slotCount.clone() : new long[slots];
        double[] slotMin = slotsKept ? before.slotMin.clone() : new double[slots * n];
        double[] slotMax = slotsKept ? before.slotMax.clone() : new double[slots * n];
        int slot = slots == 0 ? -1 : (int) (Math.floorMod(eventTimeMillis, 86_400_000L) * slots / 86_400_000L);
        boolean checkWhole = settings.tolerance() > 0 && before.count() >= settings.minHistory();
        boolean checkSlot = slot >= 0 && slotCount[slot] >= settings.slotMinHistory();
        int[] outside = new int[n];
        int found = 0;
        for (int i = 0; i < n; i++) {
            double v = values[i];
            if ((checkWhole && beyond(v, min[i], max[i], settings.tolerance()))
                    || (checkSlot && beyond(v, slotMin[slot * n + i], slotMax[slot * n + i], settings.dailyTolerance()))) {
                outside[found++] = i;
            }
            widen(min, max, i, v, before.count() == 0);
            if (slot >= 0) {
                widen(slotMin, slotMax, slot * n + i, v, slotCount[slot] == 0);
            }
        }
        if (slot >= 0) {
            slotCount[slot]++;
        }
        return new Result(Arrays.copyOf(outside, found),
                new State(before.count() + 1, min, max, slotCount, slotMin, slotMax));
    }

    /** Widens [min[j], max[j]] to hold {@code v}; the range is {@code v} alone when it held nothing yet. */
    private static void widen(double[] min, double[] max, int j, double v, boolean empty) {
        min[j] = empty ? v : Math.min(min[j], v);
        max[j] = empty ? v : Math.max(max[j], v);
    }

    /** Whether {@code v} lies beyond [min, max] widened by {@code tolerance} times its width; never for a zero width. */
    private static boolean beyond(double v, double min, double max, double tolerance) {
        double width = max - min;
        return width > 0 && (v > max + tolerance * width || v < min - tolerance * width);
    }
}
