package io.latentwatch.core.scoring;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Where ONNX Runtime runs the graph. {@code AUTO} tries CUDA, then CoreML, then CPU. */
public enum ExecutionProvider {
    AUTO, CPU, CUDA, COREML;

    /** Parses a config value; the error lists the allowed values. */
    public static ExecutionProvider parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("execution provider '" + value + "' is not one of "
                    + Arrays.stream(values()).map(v -> v.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
        }
    }

    /** The lower-case name used in config and metric labels. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
