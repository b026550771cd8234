package io.latentwatch.streaming;

import io.latentwatch.core.features.RejectionReason;
import io.latentwatch.schemas.Severity;

/**
 * What the scoring processor reports as it works. Implementations must be thread-safe (every stream thread
 * calls the same instance) and cheap: calls sit on the per-record path. {@link #NOOP} reports nothing.
 */
public interface ScoringMetrics {
    /** Reports nothing. */
    ScoringMetrics NOOP = new ScoringMetrics() {};

    /** An input record arrived (before decoding). */
    default void recordReceived() {}

    /**
     * A batch went through ONNX Runtime.
     *
     * @param rows rows in the batch
     * @param nanos time spent in the model call
     */
    default void batchScored(int rows, long nanos) {}

    /**
     * One record was scored and its latent code emitted.
     *
     * @param score the anomaly score
     * @param endToEndMillis wall clock now minus the record's timestamp
     */
    default void recordScored(double score, long endToEndMillis) {}

    /** A record went to the dead-letter topic. */
    default void deadLettered(RejectionReason reason) {}

    /** An alert was emitted. */
    default void alertEmitted(Severity severity) {}

    /** The model now serving in a task (on open, and on every swap). */
    default void modelServing(String modelId, String modelVersion, String executionProvider) {}
}
