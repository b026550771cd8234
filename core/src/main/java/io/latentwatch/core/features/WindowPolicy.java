package io.latentwatch.core.features;

import java.util.Objects;

/**
 * How a {@link SlidingWindow} places rows by event time.
 *
 * @param graceMillis how far (event time) behind the window's newest row a row may arrive and still be placed
 *     in order; an older one is {@link SlidingWindow.Placement#TOO_LATE}. 0 accepts no row older than the newest
 *     (rows with equal timestamps keep arrival order)
 * @param maxGapMillis a row more than this after the newest one triggers {@code gapPolicy};
 *     {@link Long#MAX_VALUE} never does
 * @param gapPolicy what a gap longer than {@code maxGapMillis} does to the window
 */
public record WindowPolicy(long graceMillis, long maxGapMillis, GapPolicy gapPolicy) {
    /** No grace and no gap handling: rows must arrive in event-time order. */
    public static final WindowPolicy IN_ORDER = new WindowPolicy(0, Long.MAX_VALUE, GapPolicy.RESET);

    public WindowPolicy {
        Objects.requireNonNull(gapPolicy, "gapPolicy");
        if (graceMillis < 0 || maxGapMillis < 1) {
            throw new IllegalArgumentException("graceMillis must be >= 0 and maxGapMillis >= 1: " + graceMillis
                    + ", " + maxGapMillis);
        }
    }
}
