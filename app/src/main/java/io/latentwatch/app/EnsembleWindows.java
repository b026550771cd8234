package io.latentwatch.app;

import java.util.Arrays;
import java.util.List;

/** The {@code --ensemble-windows} option of {@code train} and {@code nab}: window lengths, or {@code none}. */
final class EnsembleWindows {
    static final String OPTION = "--ensemble-windows";
    static final String DESCRIPTION = "Window lengths of an ensemble, one autoencoder each on the latest records of "
            + "the window, joined in one graph whose score is the mean of the members' standardised log scores; the "
            + "longest is the model's window";

    private EnsembleWindows() {}

    /**
     * Distinct positive lengths, at least two; {@code none} (or empty) for a single autoencoder.
     *
     * @throws IllegalArgumentException naming the option and what it takes
     */
    static List<Integer> parse(String value) {
        String v = value == null ? "" : value.trim();
        if (v.isEmpty() || v.equalsIgnoreCase("none")) {
            return List.of();
        }
        List<Integer> windows;
        try {
            windows = Arrays.stream(v.split(",")).map(String::trim).map(Integer::valueOf).toList();
        } catch (NumberFormatException e) {
            windows = List.of();
        }
        if (windows.size() < 2 || windows.stream().anyMatch(w -> w < 1)
                || windows.stream().distinct().count() != windows.size()) {
            throw new IllegalArgumentException(OPTION + " takes two or more distinct positive window lengths, like "
                    + "16,32,64, or none; got " + value);
        }
        return windows;
    }

    /** The longest window. */
    static int longest(List<Integer> windows) {
        return windows.stream().mapToInt(Integer::intValue).max().orElseThrow();
    }
}
