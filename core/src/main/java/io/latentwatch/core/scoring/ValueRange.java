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
 * <p>With {@code levelRecords} above 0 each feature's <em>level</em>, the mean of the entity's last {@code
 * levelRecords} values, has a range too, and a level outside the range of the levels before it (widened by {@code
 * levelTolerance}) counts as outside: a shift to a level never held for that long (a machine stuck half-way, a
 * service running at a fraction of its load) though every single value lies within the values' range.
 *
 * <p>Pure: the caller keeps one {@link State} per entity (16 bytes per feature, per slot again, and {@code 8 *
 * levelRecords + 16} more with levels) in a state store.
 * The first {@code minHistory} records of an entity only build its range, and a slot is checked once it has seen its
 * share of them ({@code minHistory / dailySlots}, rounded up); a feature whose values have all been equal has no
 * range yet and is never outside it. Levels are checked once {@code minHistory} of them have been seen. A record is
 * checked against the ranges before it, then widens them.
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
     * @param levelRecords values whose mean is a feature's level (0: no level check)
     * @param levelTolerance share of the levels' range added on each side before a level counts as outside it
     */
    public record Settings(double tolerance, int minHistory, int dailySlots, double dailyTolerance, int levelRecords,
                           double levelTolerance) {
        /** No range check. */
        public static final Settings OFF = new Settings(0, 1);
        /** The most slots of a day (15 minutes each). */
        public static final int MAX_DAILY_SLOTS = 96;
        /** The most values a level is the mean of (the state keeps them all). */
        public static final int MAX_LEVEL_RECORDS = 1000;

        public Settings {
            if (!(tolerance >= 0 && tolerance <= 100) || minHistory < 1 || dailySlots < 0 || dailySlots > MAX_DAILY_SLOTS
                    || !(dailyTolerance >= 0 && dailyTolerance <= 100) || levelRecords < 0
                    || levelRecords > MAX_LEVEL_RECORDS || !(levelTolerance >= 0 && levelTolerance <= 100)) {
                throw new IllegalArgumentException("tolerance, dailyTolerance and levelTolerance must lie in [0, 100], "
                        + "minHistory be at least 1, dailySlots in [0, " + MAX_DAILY_SLOTS + "] and levelRecords in [0, "
                        + MAX_LEVEL_RECORDS + "]: tolerance=" + tolerance + " minHistory=" + minHistory + " dailySlots="
                        + dailySlots + " dailyTolerance=" + dailyTolerance + " levelRecords=" + levelRecords
                        + " levelTolerance=" + levelTolerance);
            }
        }

        /** The whole range and the slots of the day, no levels. */
        public Settings(double tolerance, int minHistory, int dailySlots, double dailyTolerance) {
            this(tolerance, minHistory, dailySlots, dailyTolerance, 0, 0);
        }

        /** The whole range only. */
        public Settings(double tolerance, int minHistory) {
            this(tolerance, minHistory, 0, 0, 0, 0);
        }

        /** Whether records are checked at all. */
        public boolean enabled() {
            return tolerance > 0 || dailySlots > 0 || levelRecords > 0;
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
     * @param levelCount records seen since the levels started (0 without levels)
     * @param levelRecent the last values of each feature, record after record (features per record): a ring, written
     *     at {@code levelCount % levelRecords()}; its length over the features is the settings' levelRecords (empty
     *     without levels)
     * @param levelMin smallest level of each feature (empty without levels)
     * @param levelMax largest level of each feature (empty without levels)
     */
    public record State(long count, double[] min, double[] max, long[] slotCount, double[] slotMin, double[] slotMax,
                        long levelCount, double[] levelRecent, double[] levelMin, double[] levelMax) {
        /** An entity never seen. */
        public static final State EMPTY = new State(0, new double[0], new double[0]);
        /** The first release's form: the whole range only. */
        private static final byte FORMAT_WHOLE_RANGE = 1;
        /** The second release's form: the whole range and the slots. */
        private static final byte FORMAT_SLOTS = 2;
        private static final byte FORMAT = 3;

        public State {
            if (count < 0 || min == null || max == null || min.length != max.length || (count == 0) != (min.length == 0)
                    || slotCount == null || slotMin == null || slotMax == null || slotMin.length != slotMax.length
                    || slotMin.length != slotCount.length * min.length || levelCount < 0 || levelRecent == null
                    || levelMin == null || levelMax == null || levelMin.length != levelMax.length
                    || (levelRecent.length > 0 && (min.length == 0 || levelRecent.length % min.length != 0))
                    || levelMin.length != (levelRecent.length > 0 ? min.length : 0)
                    || (levelRecent.length == 0 && levelCount > 0)) {
                throw new IllegalArgumentException("not a value range: count=" + count + " features="
                        + (min == null ? null : min.length) + "/" + (max == null ? null : max.length) + " slots="
                        + (slotCount == null ? null : slotCount.length) + " level values="
                        + (levelRecent == null ? null : levelRecent.length));
            }
            min = min.clone();
            max = max.clone();
            slotCount = slotCount.clone();
            slotMin = slotMin.clone();
            slotMax = slotMax.clone();
            levelRecent = levelRecent.clone();
            levelMin = levelMin.clone();
            levelMax = levelMax.clone();
        }

        /** A state without slots or levels. */
        public State(long count, double[] min, double[] max) {
            this(count, min, max, new long[0], new double[0], new double[0]);
        }

        /** A state without levels. */
        public State(long count, double[] min, double[] max, long[] slotCount, double[] slotMin, double[] slotMax) {
            this(count, min, max, slotCount, slotMin, slotMax, 0, new double[0], new double[0], new double[0]);
        }

        /** Values a level is the mean of (0 without levels). */
        public int levelRecords() {
            return levelRecent.length == 0 ? 0 : levelRecent.length / min.length;
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
        public double[] levelRecent() {
            return levelRecent.clone();
        }

        @Override
        public double[] levelMin() {
            return levelMin.clone();
        }

        @Override
        public double[] levelMax() {
            return levelMax.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof State s && count == s.count && Arrays.equals(min, s.min) && Arrays.equals(max, s.max)
                    && Arrays.equals(slotCount, s.slotCount) && Arrays.equals(slotMin, s.slotMin)
                    && Arrays.equals(slotMax, s.slotMax) && levelCount == s.levelCount
                    && Arrays.equals(levelRecent, s.levelRecent) && Arrays.equals(levelMin, s.levelMin)
                    && Arrays.equals(levelMax, s.levelMax);
        }

        @Override
        public int hashCode() {
            return Objects.hash(count, Arrays.hashCode(min), Arrays.hashCode(max), Arrays.hashCode(slotCount),
                    Arrays.hashCode(slotMin), Arrays.hashCode(slotMax), levelCount, Arrays.hashCode(levelRecent),
                    Arrays.hashCode(levelMin), Arrays.hashCode(levelMax));
        }

        @Override
        public String toString() {
            return "State[count=" + count + ", min=" + Arrays.toString(min) + ", max=" + Arrays.toString(max)
                    + ", slotCount=" + Arrays.toString(slotCount) + ", levelCount=" + levelCount + ", levelMin="
                    + Arrays.toString(levelMin) + ", levelMax=" + Arrays.toString(levelMax) + "]";
        }

        /**
         * The form kept in a state store: a format byte, the count, the number of features, min and max pairs, the
         * number of slots, then each slot's count and min and max pairs, then the number of level records, the level
         * count, the recent values and the levels' min and max pairs.
         */
        public byte[] toBytes() {
            int slots = slotCount.length;
            ByteBuffer b = ByteBuffer.allocate(1 + Long.BYTES + Integer.BYTES + 2 * min.length * Double.BYTES
                    + Integer.BYTES + slots * Long.BYTES + 2 * slotMin.length * Double.BYTES
                    + Integer.BYTES + Long.BYTES + (levelRecent.length + 2 * levelMin.length) * Double.BYTES)
                    .put(FORMAT).putLong(count).putInt(min.length);
            putPairs(b, min, max, 0, min.length);
            b.putInt(slots);
            for (int k = 0; k < slots; k++) {
                b.putLong(slotCount[k]);
                putPairs(b, slotMin, slotMax, k * min.length, min.length);
            }
            b.putInt(levelRecords()).putLong(levelCount);
            for (double v : levelRecent) {
                b.putDouble(v);
            }
            putPairs(b, levelMin, levelMax, 0, levelMin.length);
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

        /** Reads what {@link #toBytes()} wrote, and the earlier releases' forms (no slots; no levels). */
        public static State fromBytes(byte[] bytes) {
            int fixed = 1 + Long.BYTES + Integer.BYTES;
            if (bytes.length < fixed || (bytes[0] != FORMAT && bytes[0] != FORMAT_SLOTS && bytes[0] != FORMAT_WHOLE_RANGE)) {
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
                int levelRecords = bytes[0] == FORMAT ? b.getInt() : 0;
                if (levelRecords < 0 || levelRecords > Settings.MAX_LEVEL_RECORDS) {
                    throw new IllegalArgumentException("not a value range (" + levelRecords + " level records)");
                }
                long levelCount = bytes[0] == FORMAT ? b.getLong() : 0;
                double[] levelRecent = new double[levelRecords * n];
                for (int j = 0; j < levelRecent.length; j++) {
                    levelRecent[j] = b.getDouble();
                }
                int levels = levelRecords > 0 ? n : 0;
                double[] levelMin = new double[levels];
                double[] levelMax = new double[levels];
                getPairs(b, levelMin, levelMax, 0, levels);
                if (b.hasRemaining()) {
                    throw new IllegalArgumentException("not a value range (" + b.remaining() + " bytes left over)");
                }
                return new State(count, min, max, slotCount, slotMin, slotMax, levelCount, levelRecent, levelMin, levelMax);
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
        // A change of levelRecords starts the levels afresh too.
        int levelRecords = settings.levelRecords();
        boolean levelsKept = levelRecords > 0 && before.levelRecords() == levelRecords && before.count() > 0;
        long levelCount = levelsKept ? before.levelCount() : 0;
        double[] levelRecent = levelsKept ? before.levelRecent.clone() : new double[levelRecords * n];
        double[] levelMin = levelsKept ? before.levelMin.clone() : new double[levelRecords > 0 ? n : 0];
        double[] levelMax = levelsKept ? before.levelMax.clone() : new double[levelRecords > 0 ? n : 0];
        // levels seen before this record: one per record from the levelRecords-th on
        long levelsSeen = levelRecords == 0 ? 0 : Math.max(0, levelCount - levelRecords + 1);
        boolean hasLevel = levelRecords > 0 && levelCount + 1 >= levelRecords;
        boolean checkLevel = hasLevel && levelsSeen >= settings.minHistory();
        int ring = levelRecords == 0 ? 0 : (int) (levelCount % levelRecords);
        boolean checkWhole = settings.tolerance() > 0 && before.count() >= settings.minHistory();
        boolean checkSlot = slot >= 0 && slotCount[slot] >= settings.slotMinHistory();
        int[] outside = new int[n];
        int found = 0;
        for (int i = 0; i < n; i++) {
            double v = values[i];
            boolean out = (checkWhole && beyond(v, min[i], max[i], settings.tolerance()))
                    || (checkSlot && beyond(v, slotMin[slot * n + i], slotMax[slot * n + i], settings.dailyTolerance()));
            widen(min, max, i, v, before.count() == 0);
            if (slot >= 0) {
                widen(slotMin, slotMax, slot * n + i, v, slotCount[slot] == 0);
            }
            if (levelRecords > 0) {
                levelRecent[ring * n + i] = v;
            }
            if (hasLevel) {
                double level = level(levelRecent, levelRecords, n, i);
                out |= checkLevel && beyond(level, levelMin[i], levelMax[i], settings.levelTolerance());
                widen(levelMin, levelMax, i, level, levelsSeen == 0);
            }
            if (out) {
                outside[found++] = i;
            }
        }
        if (slot >= 0) {
            slotCount[slot]++;
        }
        return new Result(Arrays.copyOf(outside, found), new State(before.count() + 1, min, max, slotCount, slotMin,
                slotMax, levelRecords > 0 ? levelCount + 1 : 0, levelRecent, levelMin, levelMax));
    }

    /** The mean of feature {@code i}'s last {@code records} values (summed afresh each time: no drift). */
    private static double level(double[] recent, int records, int n, int i) {
        double sum = 0;
        for (int r = 0; r < records; r++) {
            sum += recent[r * n + i];
        }
        return sum / records;
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
