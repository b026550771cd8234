package io.latentwatch.streaming.internals;

import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.bundle.ModelManifest;
import io.latentwatch.core.bundle.Thresholds;
import io.latentwatch.core.features.WindowPolicy;
import io.latentwatch.core.scoring.ScorerOptions;
import io.latentwatch.streaming.AlertScoring;
import io.latentwatch.streaming.EpisodePolicy;
import io.latentwatch.streaming.InputFormat;
import io.latentwatch.streaming.ScoringMetrics;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * What a {@link ScoringProcessor} needs, fixed when the topology is built.
 *
 * @param bundle the verified model bundle
 * @param scorerOptions how to open ONNX Runtime
 * @param inputFormat encoding of input records
 * @param maxRecordBytes key plus value bytes above which a record is TOO_LARGE
 * @param thresholds effective alert thresholds (the bundle's, or overridden)
 * @param topK contributions per alert
 * @param windowStore name of the per-entity window store; null when the model takes single records
 * @param latentsSink sink node of latent codes
 * @param alertsSink sink node of alerts
 * @param deadLetterSink sink node of rejected records
 * @param metrics where the processor reports what it does
 * @param pendingStore name of the store of records waiting for their micro-batch; null when batchMaxRecords is 1
 * @param batchMaxRecords micro-batch size
 * @param batchMaxWaitMs longest wall-clock wait of a pending record
 * @param batchPipeline whether full micro-batches are prepared on the shared scoring threads
 * @param episodeStore name of the per-entity alert-episode store; null when the processor emits no alerts
 * @param episodePolicy how anomalous records group into alert episodes
 * @param windowPolicy how windows place records by event time (grace, gaps)
 * @param modelSlot where a promoted model arrives for a hot swap; null when the bundle is fixed for the task's life
 * @param alertScoring which score alerts are raised on
 * @param likelihoodStore name of the per-entity likelihood store; non-null exactly when alerts are raised on the
 *     likelihood
 * @param rangeStore name of the per-entity value-range store; non-null exactly when the range check is on
 * @param dailyLikelihoodStore name of the per-entity store of the likelihood's statistics per slot of the day;
 *     non-null exactly when the likelihood keeps them
 */
public record ScoringSpec(ModelBundle bundle, ScorerOptions scorerOptions, InputFormat inputFormat, int maxRecordBytes,
                          Thresholds thresholds, int topK, String windowStore, String latentsSink, String alertsSink,
                          String deadLetterSink, ScoringMetrics metrics, String pendingStore,
                          int batchMaxRecords, long batchMaxWaitMs, boolean batchPipeline, String episodeStore, EpisodePolicy episodePolicy,
                          WindowPolicy windowPolicy, ModelSlot modelSlot, AlertScoring alertScoring,
                          String likelihoodStore, String rangeStore, String dailyLikelihoodStore) {

    public ScoringSpec {
        Objects.requireNonNull(bundle, "bundle");
        Objects.requireNonNull(scorerOptions, "scorerOptions");
        Objects.requireNonNull(inputFormat, "inputFormat");
        Objects.requireNonNull(thresholds, "thresholds");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(episodePolicy, "episodePolicy");
        Objects.requireNonNull(windowPolicy, "windowPolicy");
        Objects.requireNonNull(alertScoring, "alertScoring");
        if (alertScoring.onLikelihood() != (likelihoodStore != null)) {
            throw new IllegalArgumentException("a likelihood store is needed exactly when alerts are raised on the likelihood");
        }
        if (alertScoring.dailyLikelihood() != (dailyLikelihoodStore != null)) {
            throw new IllegalArgumentException("a daily likelihood store is needed exactly when the likelihood keeps slots of the day");
        }
        if (alertScoring.range().enabled() != (rangeStore != null)) {
            throw new IllegalArgumentException("a value-range store is needed exactly when the range check is on");
        }
        if ((bundle.manifest().windowLength() > 1) != (windowStore != null)) {
            throw new IllegalArgumentException("a window store is needed exactly when the window length is above 1");
        }
        if (batchMaxRecords < 1 || batchMaxWaitMs < 1) {
            throw new IllegalArgumentException("batchMaxRecords and batchMaxWaitMs must be at least 1");
        }
        if ((batchMaxRecords > 1) != (pendingStore != null)) {
            throw new IllegalArgumentException("a pending-record store is needed exactly when batchMaxRecords is above 1");
        }
    }

    /** The per-entity stores this spec names (windows, episodes, likelihoods, ranges), in that order. */
    public List<String> entityStores() {
        return Stream.of(windowStore, episodeStore, likelihoodStore, rangeStore, dailyLikelihoodStore)
                .filter(Objects::nonNull).toList();
    }

    /** The thresholds alerts are decided on when {@code thresholds} is the model's. */
    public Thresholds alertThresholds(Thresholds modelThresholds) {
        return alertScoring.onLikelihood() ? alertScoring.likelihoodThresholds() : modelThresholds;
    }

    public ModelManifest manifest() {
        return bundle.manifest();
    }
}
