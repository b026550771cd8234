package io.latentwatch.core.scoring;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
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
 * <p>Pure: the caller keeps one {@link State} per entity in a state store: 16 bytes per feature, as much again per
 * slot, and {@code 8 * levelRecords + 16} more per feature with levels. The first {@code minHistory} records of an
 * entity only build its range, and a slot is checked once it has seen its share of them ({@code minHistory /
 * dailySlots}, rounded up); a feature whose values have all been equal has no range yet and is never outside it.
 * Levels are checked once {@code minHistory} of them have been seen. A record is checked against the ranges before
 * it, then widens them.
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
        public static final int MAX_DAILY_SLOTS = DaySlots.MAX;
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
     * The smallest and largest value of each feature among the {@code count} values seen so far (zeros while none
     * has been): one entity's whole range, one slot of its day, or the range of its levels.
     *
     * @param count values seen
     * @param min smallest value of each feature (a copy is kept, and the accessor returns one)
     * @param max largest value of each feature (a copy is kept, and the accessor returns one)
     */
    public record Span(long count, double[] min, double[] max) {
        public Span {
            if (count < 0 || min == null || max == null || min.length != max.length) {
                throw new IllegalArgumentException("not a span: count=" + count + " features="
                        + (min == null ? null : min.length) + "/" + (max == null ? null : max.length));
            }
            min = min.clone();
            max = max.clone();
        }

        /** Nothing seen yet, of {@code features} features. */
        public static Span empty(int features) {
            return new Span(0, new double[features], new double[features]);
        }

        public int features() {
            return min.length;
        }

        @Override
        public double[] min() {
            return min.clone();
        }

        @Override
        public double[] max() {
            return max.clone();
        }

        /** This span with one more set of values; they are the whole span when it held nothing yet. */
        Span widened(double[] values) {
            double[] lo = count == 0 ? values.clone() : min.clone();
            double[] hi = count == 0 ? values.clone() : max.clone();
            for (int i = 0; i < values.length; i++) {
                lo[i] = Math.min(lo[i], values[i]);
                hi[i] = Math.max(hi[i], values[i]);
            }
            return new Span(count + 1, lo, hi);
        }

        /** Whether {@code v} lies beyond feature {@code i}'s range widened by {@code tolerance} times its width; never for a zero width. */
        boolean beyond(int i, double v, double tolerance) {
            double width = max[i] - min[i];
            return count > 0 && width > 0 && (v > max[i] + tolerance * width || v < min[i] - tolerance * width);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Span s && count == s.count && Arrays.equals(min, s.min) && Arrays.equals(max, s.max);
        }

        @Override
        public int hashCode() {
            return Objects.hash(count, Arrays.hashCode(min), Arrays.hashCode(max));
        }

        @Override
        public String toString() {
            return "Span[count=" + count + ", min=" + Arrays.toString(min) + ", max=" + Arrays.toString(max) + "]";
        }

        private void put(ByteBuffer b) {
            for (int i = 0; i < min.length; i++) {
                b.putDouble(min[i]).putDouble(max[i]);
            }
        }

        private static Span get(ByteBuffer b, long count, int features) {
            double[] min = new double[features];
            double[] max = new double[features];
            for (int i = 0; i < features; i++) {
                min[i] = b.getDouble();
                max[i] = b.getDouble();
            }
            return new Span(count, min, max);
        }
    }

    /**
     * Each feature's last values and the range of their means (its levels).
     *
     * @param records values a level is the mean of (0: no levels)
     * @param count records seen since the levels started
     * @param recent the last {@code records} values of each feature, record after record (features per record): a
     *     ring written at {@code count % records} (a copy is kept, and the accessor returns one)
     * @param levels the range of the levels seen, one per record from the {@code records}-th on
     */
    public record Level(int records, long count, double[] recent, Span levels) {
        /** No levels kept. */
        public static final Level NONE = new Level(0, 0, new double[0], Span.empty(0));

        public Level {
            if (records < 0 || count < 0 || recent == null || levels == null
                    || recent.length != records * levels.features() || (records == 0 && (count > 0 || levels.features() > 0))
                    || levels.count() != seenLevels(records, count)) {
                throw new IllegalArgumentException("not a level: records=" + records + " count=" + count + " values="
                        + (recent == null ? null : recent.length) + " levels=" + levels);
            }
            recent = recent.clone();
        }

        /** Levels seen after {@code count} records: one per record from the {@code records}-th on. */
        static long seenLevels(int records, long count) {
            return records == 0 ? 0 : Math.max(0, count - records + 1);
        }

        /** Levels of {@code records} values of {@code features} features, nothing seen yet. */
        static Level start(int records, int features) {
            return records == 0 ? NONE : new Level(records, 0, new double[records * features], Span.empty(features));
        }

        @Override
        public double[] recent() {
            return recent.clone();
        }

        /**
         * One more record's step.
         *
         * @param current the record's level of each feature (the mean of the last values, summed afresh: no drift);
         *     null before there are {@code records} values
         * @param next the levels with the record added; its level widens their range
         */
        record Step(double[] current, Level next) {}

        /** Adds a record's values (only with levels kept, {@code records} above 0). */
        Step with(double[] values) {
            int n = values.length;
            double[] next = recent.clone();
            System.arraycopy(values, 0, next, (int) (count % records) * n, n);
            long seen = count + 1;
            double[] current = seen >= records ? means(next, records, n) : null;
            return new Step(current, new Level(records, seen, next, current != null ? levels.widened(current) : levels));
        }

        private static double[] means(double[] recent, int records, int n) {
            double[] mean = new double[n];
            for (int r = 0; r < records; r++) {
                for (int i = 0; i < n; i++) {
                    mean[i] += recent[r * n + i];
                }
            }
            for (int i = 0; i < n; i++) {
                mean[i] /= records;
            }
            return mean;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Level l && records == l.records && count == l.count && Arrays.equals(recent, l.recent)
                    && levels.equals(l.levels);
        }

        @Override
        public int hashCode() {
            return Objects.hash(records, count, Arrays.hashCode(recent), levels);
        }

        @Override
        public String toString() {
            return "Level[records=" + records + ", count=" + count + ", levels=" + levels + "]";
        }
    }

    /**
     * One entity's seen ranges.
     *
     * @param whole the range of every value seen
     * @param slots the range in each slot of the day (empty without slots)
     * @param level the levels ({@link Level#NONE} without)
     */
    public record State(Span whole, List<Span> slots, Level level) {
        /** An entity never seen. */
        public static final State EMPTY = new State(Span.empty(0), List.of(), Level.NONE);
        /** The first release's form: the whole range only. */
        private static final byte FORMAT_WHOLE_RANGE = 1;
        /** The second release's form: the whole range and the slots. */
        private static final byte FORMAT_SLOTS = 2;
        private static final byte FORMAT = 3;

        public State {
            Objects.requireNonNull(whole, "whole");
            slots = List.copyOf(slots);
            Objects.requireNonNull(level, "level");
            int n = whole.features();
            if ((whole.count() == 0) != (n == 0) || slots.size() > Settings.MAX_DAILY_SLOTS
                    || slots.stream().anyMatch(s -> s.features() != n)
                    || (level.records() > 0 && level.levels().features() != n)) {
                throw new IllegalArgumentException("not a value range: whole=" + whole + " slots=" + slots.size()
                        + " level=" + level);
            }
        }

        /** A state of the whole range alone. */
        public static State wholeRange(long count, double[] min, double[] max) {
            return new State(new Span(count, min, max), List.of(), Level.NONE);
        }

        /** Records seen. */
        public long count() {
            return whole.count();
        }

        /** Smallest value of each feature. */
        public double[] min() {
            return whole.min();
        }

        /** Largest value of each feature. */
        public double[] max() {
            return whole.max();
        }

        /**
         * The form kept in a state store: a format byte, the count, the number of features, min and max pairs, the
         * number of slots, then each slot's count and min and max pairs, then the number of level records, the level
         * count, the recent values and the levels' min and max pairs.
         */
        public byte[] toBytes() {
            int n = whole.features();
            ByteBuffer b = ByteBuffer.allocate(1 + Long.BYTES + Integer.BYTES + 2 * n * Double.BYTES
                    + Integer.BYTES + slots.size() * (Long.BYTES + 2 * n * Double.BYTES)
                    + Integer.BYTES + Long.BYTES + (level.recent.length + 2 * level.levels().features()) * Double.BYTES)
                    .put(FORMAT).putLong(whole.count()).putInt(n);
            whole.put(b);
            b.putInt(slots.size());
            for (Span slot : slots) {
                b.putLong(slot.count());
                slot.put(b);
            }
            b.putInt(level.records()).putLong(level.count());
            for (double v : level.recent) {
                b.putDouble(v);
            }
            level.levels().put(b);
            return b.array();
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
                Span whole = Span.get(b, count, n);
                int slotCount = bytes[0] == FORMAT_WHOLE_RANGE ? 0 : b.getInt();
                if (slotCount < 0 || slotCount > Settings.MAX_DAILY_SLOTS) {
                    throw new IllegalArgumentException("not a value range (" + slotCount + " slots)");
                }
                List<Span> slots = new ArrayList<>(slotCount);
                for (int k = 0; k < slotCount; k++) {
                    slots.add(Span.get(b, b.getLong(), n));
                }
                Level level = Level.NONE;
                if (bytes[0] == FORMAT) {
                    int records = b.getInt();
                    if (records < 0 || records > Settings.MAX_LEVEL_RECORDS) {
                        throw new IllegalArgumentException("not a value range (" + records + " level records)");
                    }
                    long levelCount = b.getLong();
                    double[] recent = new double[records * n];
                    for (int j = 0; j < recent.length; j++) {
                        recent[j] = b.getDouble();
                    }
                    Span levels = Span.get(b, Level.seenLevels(records, levelCount), records > 0 ? n : 0);
                    level = new Level(records, levelCount, recent, levels);
                }
                if (b.hasRemaining()) {
                    throw new IllegalArgumentException("not a value range (" + b.remaining() + " bytes left over)");
                }
                return new State(whole, slots, level);
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
        boolean seen = before.count() > 0;
        if (seen && n != before.whole().features()) {
            throw new IllegalArgumentException("the entity's range has " + before.whole().features()
                    + " features, the record " + n);
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException("value " + i + " is not finite: " + values[i]);
            }
            v[i] = values[i];
        }
        // A change of dailySlots or levelRecords starts those afresh; the whole range is kept.
        int slotCount = settings.dailySlots();
        List<Span> slots = seen && before.slots().size() == slotCount ? before.slots()
                : Collections.nCopies(slotCount, Span.empty(n));
        int slot = slotCount == 0 ? -1 : DaySlots.of(eventTimeMillis, slotCount);
        int levelRecords = settings.levelRecords();
        Level level = seen && before.level().records() == levelRecords ? before.level() : Level.start(levelRecords, n);
        Level.Step levelStep = levelRecords > 0 ? level.with(v) : new Level.Step(null, level);
        double[] currentLevel = levelStep.current();

        boolean checkWhole = settings.tolerance() > 0 && before.count() >= settings.minHistory();
        boolean checkSlot = slot >= 0 && slots.get(slot).count() >= settings.slotMinHistory();
        boolean checkLevel = currentLevel != null && level.levels().count() >= settings.minHistory();
        int[] outside = new int[n];
        int found = 0;
        for (int i = 0; i < n; i++) {
            if ((checkWhole && before.whole().beyond(i, v[i], settings.tolerance()))
                    || (checkSlot && slots.get(slot).beyond(i, v[i], settings.dailyTolerance()))
                    || (checkLevel && level.levels().beyond(i, currentLevel[i], settings.levelTolerance()))) {
                outside[found++] = i;
            }
        }
        Span whole = (seen ? before.whole() : Span.empty(n)).widened(v);
        if (slot >= 0) {
            List<Span> nextSlots = new ArrayList<>(slots);
            nextSlots.set(slot, slots.get(slot).widened(v));
            slots = nextSlots;
        }
        return new Result(Arrays.copyOf(outside, found), new State(whole, slots, levelStep.next()));
    }
}
