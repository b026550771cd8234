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

    /** An alert was emitted (a record written to the alerts topic: every episode event is one). */
    default void alertEmitted(Severity severity) {}

    /**
     * An alert-episode event was emitted (after {@link #alertEmitted}).
     *
     * @param type {@code OPEN}, {@code UPDATE} or {@code CLOSE} (the names of {@code AlertEvent})
     * @param severity the event's severity: the triggering record's for OPEN and UPDATE, the episode's highest for
     *     CLOSE
     */
    default void episodeEvent(String type, Severity severity) {}

    /**
     * A micro-batch of pending records was scored and its outputs forwarded.
     *
     * @param records records in the micro-batch (rejected ones included)
     * @param oldestWaitMillis how long its oldest record waited, wall clock, between arrival and scoring
     *     (for records restored after a restart: since the restore)
     * @param trigger what flushed it: {@code "size"} (scoring.batch.max-records reached) or {@code "time"}
     *     (scoring.batch.max-wait-ms passed)
     */
    default void microBatchFlushed(int records, long oldestWaitMillis, String trigger) {}

    /** The model now serving in a task (on open, and on every swap). */
    default void modelServing(String modelId, String modelVersion, String executionProvider) {}

    /**
     * The alert thresholds a task decides on (on open, and on every swap: a new version brings its own): on the
     * reconstruction score, or on the likelihood's log score with {@code alerts.score=likelihood}.
     */
    default void thresholdsInForce(double warning, double critical) {}

    /**
     * A promoted model version was refused (bad hash, another input shape, a graph ONNX Runtime cannot open or run);
     * the model serving before keeps serving.
     *
     * @param modelId the model the refused bundle claims to be
     * @param modelVersion the refused version
     * @param reason a short machine-friendly reason, e.g. {@code verification}, {@code input_shape}, {@code open}
     */
    default void modelRefused(String modelId, String modelVersion, String reason) {}
}
