package io.latentwatch.core.scoring;

import ai.onnxruntime.OrtSession;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How much ONNX Runtime rewrites the graph when it opens a session (its {@code GraphOptimizationLevel}). */
public enum GraphOptimizationLevel {
    /** No rewriting: the graph runs as exported. */
    DISABLED(OrtSession.SessionOptions.OptLevel.NO_OPT),
    /** Constant folding and redundant-node removal. */
    BASIC(OrtSession.SessionOptions.OptLevel.BASIC_OPT),
    /** Basic plus operator fusions (for example Gemm with activation). */
    EXTENDED(OrtSession.SessionOptions.OptLevel.EXTENDED_OPT),
    /** Extended plus layout optimisations: the fastest, and the default. */
    ALL(OrtSession.SessionOptions.OptLevel.ALL_OPT);

    private final OrtSession.SessionOptions.OptLevel ortLevel;

    GraphOptimizationLevel(OrtSession.SessionOptions.OptLevel ortLevel) {
        this.ortLevel = ortLevel;
    }

    /** The ONNX Runtime level this maps to. */
    public OrtSession.SessionOptions.OptLevel ortLevel() {
        return ortLevel;
    }

    /** The lower-case name used in config. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a config value; the error lists the allowed values. */
    public static GraphOptimizationLevel parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("graph optimisation level '" + value + "' is not one of "
                    + Arrays.stream(values()).map(GraphOptimizationLevel::configName).collect(Collectors.joining(", ")));
        }
    }
}
