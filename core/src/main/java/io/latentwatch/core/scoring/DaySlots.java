package io.latentwatch.core.scoring;

/** Slots of the day (UTC, by event time) that the range check and the likelihood keep apart. */
public final class DaySlots {
    /** The most slots of a day (15 minutes each). */
    public static final int MAX = 96;
    private static final long DAY_MS = 86_400_000L;

    private DaySlots() {}

    /** The slot, of {@code slots} equal ones, that {@code eventTimeMillis} falls in (times before 1970 too). */
    public static int of(long eventTimeMillis, int slots) {
        if (slots < 1 || slots > MAX) {
            throw new IllegalArgumentException("slots must lie in [1, " + MAX + "]: " + slots);
        }
        return (int) (Math.floorMod(eventTimeMillis, DAY_MS) * slots / DAY_MS);
    }
}
