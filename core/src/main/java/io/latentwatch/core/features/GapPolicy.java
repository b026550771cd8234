package io.latentwatch.core.features;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a {@link SlidingWindow} does when a row arrives longer than the maximum gap after the previous one. */
public enum GapPolicy {
    /** Empty the window and start again from the new row: nothing is scored until it holds W rows again. */
    RESET,
    /**
     * Fill the missing steps (the gap divided by the window's median row spacing, at most W - 1 of them) with
     * copies of the last row, then append the new row; falls back to {@link #RESET} while the window holds fewer
     * than two rows, since there is no spacing to go by.
     */
    IMPUTE_LAST;

    /** The configuration name: lower case with dashes ({@code reset}, {@code impute-last}). */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses a configuration name; the message lists the allowed ones. */
    public static GapPolicy parse(String value) {
        for (GapPolicy p : values()) {
            if (p.configName().equals(value)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown gap policy '" + value + "'; allowed: "
                + Arrays.stream(values()).map(GapPolicy::configName).collect(Collectors.joining(", ")));
    }
}
