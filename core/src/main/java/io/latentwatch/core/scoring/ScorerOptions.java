package io.latentwatch.core.scoring;

import java.util.Objects;

/**
 * How to open an ONNX Runtime session.
 *
 * @param executionProvider where to run the graph
 * @param allowFallback when an explicitly requested provider is missing, fall back to CPU instead of failing
 * @param intraOpThreads threads inside one operator (1 keeps scoring on its stream thread)
 * @param interOpThreads threads across operators
 * @param optimizationLevel how much ONNX Runtime rewrites the graph at open
 */
public record ScorerOptions(ExecutionProvider executionProvider, boolean allowFallback, int intraOpThreads,
                            int interOpThreads, GraphOptimizationLevel optimizationLevel) {

    public ScorerOptions {
        Objects.requireNonNull(executionProvider, "executionProvider");
        Objects.requireNonNull(optimizationLevel, "optimizationLevel");
        if (intraOpThreads < 1 || interOpThreads < 1) {
            throw new IllegalArgumentException("thread counts must be at least 1");
        }
    }

    /** With every graph optimisation ({@link GraphOptimizationLevel#ALL}). */
    public ScorerOptions(ExecutionProvider executionProvider, boolean allowFallback, int intraOpThreads,
                         int interOpThreads) {
        this(executionProvider, allowFallback, intraOpThreads, interOpThreads, GraphOptimizationLevel.ALL);
    }

    /** CPU, one thread each: the default for a stream thread. */
    public static ScorerOptions defaults() {
        return new ScorerOptions(ExecutionProvider.CPU, false, 1, 1);
    }
}
