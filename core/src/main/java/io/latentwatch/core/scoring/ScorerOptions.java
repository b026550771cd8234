package io.latentwatch.core.scoring;

/**
 * How to open an ONNX Runtime session.
 *
 * @param executionProvider where to run the graph
 * @param allowFallback when an explicitly requested provider is missing, fall back to CPU instead of failing
 * @param intraOpThreads threads inside one operator (1 keeps scoring on its stream thread)
 * @param interOpThreads threads across operators
 */
public record ScorerOptions(ExecutionProvider executionProvider, boolean allowFallback, int intraOpThreads,
                            int interOpThreads) {

    public ScorerOptions {
        if (intraOpThreads < 1 || interOpThreads < 1) {
            throw new IllegalArgumentException("thread counts must be at least 1");
        }
    }

    /** CPU, one thread each: the default for a stream thread. */
    public static ScorerOptions defaults() {
        return new ScorerOptions(ExecutionProvider.CPU, false, 1, 1);
    }
}
