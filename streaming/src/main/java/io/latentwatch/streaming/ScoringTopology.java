package io.latentwatch.streaming;

import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.bundle.Thresholds;
import io.latentwatch.streaming.internals.ModelSlot;
import io.latentwatch.streaming.internals.ObservationDecoder;
import io.latentwatch.streaming.internals.PassThroughProcessor;
import io.latentwatch.streaming.internals.PendingBatchStore;
import io.latentwatch.streaming.internals.ScoringProcessor;
import io.latentwatch.streaming.internals.ScoringSpec;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The scoring topology: one source on {@code input.topic}, one processor that decodes, featurises, windows and
 * scores each record, and three sinks.
 *
 * <pre>
 * input.topic ──▶ scorer ──▶ latents.topic   key entity (UTF-8), value LatentCode, every scored record
 *                   │  ├──▶ alerts.topic    key entity (UTF-8), value Alert: OPEN, UPDATE, CLOSE of alert episodes
 *                   │  └──▶ dlq.topic       original key and value, latentwatch.* headers ({@link DeadLetterHeaders})
 *                   ├── windows store (only when the model's window length W is above 1)
 *                   ├── episodes store (each entity's running alert episode)
 *                   ├── pending store (records waiting for their micro-batch; only when scoring.batch.max-records &gt; 1)
 *                   ├── likelihood store (each entity's score statistics; only when alerts.score=likelihood)
 *                   └── value-range store (each entity's smallest and largest values; only when alerts.range.tolerance &gt; 0)
 * </pre>
 *
 * All values are Avro single-object encoded ({@link LatentwatchSerdes} decodes them); every output record keeps
 * the input record's timestamp. With W above 1 nothing is emitted for an entity until it has sent W valid
 * records; then every record emits one latent code (see {@link ScoringProcessor}).
 */
public final class ScoringTopology {
    /** Source node reading {@code input.topic}. */
    public static final String SOURCE = "latentwatch-source";
    /** The scoring processor node. */
    public static final String SCORER = "latentwatch-scorer";
    /** Sink node writing {@code latents.topic}. */
    public static final String LATENTS_SINK = "latentwatch-latents-sink";
    /** Sink node writing {@code alerts.topic}. */
    public static final String ALERTS_SINK = "latentwatch-alerts-sink";
    /** Sink node writing {@code dlq.topic}. */
    public static final String DEAD_LETTER_SINK = "latentwatch-dlq-sink";
    /** Persistent key-value store of per-entity windows (entity to {@code SlidingWindow} bytes); W above 1 only. */
    public static final String WINDOW_STORE = "latentwatch-windows";
    /**
     * Changelogged store of the records waiting for their micro-batch, written once per commit (chunk number to
     * records; {@link PendingBatchStore}); only when {@code scoring.batch.max-records} is above 1. See
     * {@link ScoringProcessor} for why it exists.
     */
    public static final String PENDING_STORE = "latentwatch-pending";
    /**
     * Persistent, changelogged store of each entity's running alert episode (entity to episode state), written in
     * the same transaction as the alerts it causes.
     */
    public static final String EPISODE_STORE = "latentwatch-episodes";
    /**
     * Persistent, changelogged store of each entity's score statistics (entity to model version and
     * {@code AnomalyLikelihood.State}); only when {@code alerts.score=likelihood}.
     */
    public static final String LIKELIHOOD_STORE = "latentwatch-likelihood";
    /**
     * Persistent, changelogged store of each entity's smallest and largest value of each feature (entity to
     * {@code ValueRange.State}); only when a range check is on ({@code alerts.range.tolerance},
     * {@code alerts.range.daily-slots} or {@code alerts.range.level-records} above 0).
     */
    public static final String RANGE_STORE = "latentwatch-value-ranges";
    /**
     * Persistent, changelogged store of each entity's score statistics per slot of the day (entity to model version
     * and {@code DailyLikelihood.State}); only when {@code alerts.score=likelihood} and
     * {@code alerts.likelihood.daily-slots} is above 0.
     */
    public static final String DAILY_LIKELIHOOD_STORE = "latentwatch-likelihood-daily";

    private ScoringTopology() {}

    /** Loads the bundle named by {@code model.bundle} and builds the topology. */
    public static Topology build(StreamsSettings settings) {
        return build(settings, ModelBundle.load(settings.modelBundle()));
    }

    /**
     * Builds the topology for a loaded bundle. The bundle's model id and version go into every output; its
     * thresholds apply unless the settings override them.
     *
     * @throws ConfigException when overridden thresholds contradict each other or the bundle's
     */
    public static Topology build(StreamsSettings settings, ModelBundle bundle) {
        return build(settings, bundle, ScoringMetrics.NOOP);
    }

    /** Builds the topology for a loaded bundle, reporting to {@code metrics}. */
    public static Topology build(StreamsSettings settings, ModelBundle bundle, ScoringMetrics metrics) {
        return build(settings, bundle, metrics, null);
    }

    /**
     * Builds the topology for a loaded bundle whose tasks swap to whatever model {@code modelSlot} holds, between two
     * micro-batches ({@link LatentwatchStreamsApp} fills the slot from the models topic; {@code latentwatch nab} from
     * its online retraining).
     *
     * @param modelSlot null to serve {@code bundle} for good
     */
    public static Topology build(StreamsSettings settings, ModelBundle bundle, ScoringMetrics metrics, ModelSlot modelSlot) {
        boolean windowed = bundle.manifest().windowLength() > 1;
        boolean batched = settings.batchMaxRecords() > 1;
        ScoringSpec spec = new ScoringSpec(bundle, settings.scorerOptions(), settings.inputFormat(),
                settings.maxRecordBytes(), effectiveThresholds(settings, bundle.manifest().thresholds()),
                settings.topK(), windowed ? WINDOW_STORE : null, LATENTS_SINK, ALERTS_SINK, DEAD_LETTER_SINK, metrics,
                batched ? PENDING_STORE : null, settings.batchMaxRecords(), settings.batchMaxWaitMs(), settings.batchPipeline(), EPISODE_STORE,
                settings.episodePolicy(), settings.windowPolicy(), modelSlot, settings.alertScoring(),
                settings.alertScoring().onLikelihood() ? LIKELIHOOD_STORE : null,
                settings.alertScoring().range().enabled() ? RANGE_STORE : null,
                settings.alertScoring().dailyLikelihood() ? DAILY_LIKELIHOOD_STORE : null);
        // Fail now, not in a stream thread, if the input format cannot be decoded safely here.
        ObservationDecoder.forFormat(settings.inputFormat(), settings.maxRecordBytes());

        ByteArrayDeserializer in = new ByteArrayDeserializer();
        ByteArraySerializer out = new ByteArraySerializer();
        Topology topology = new Topology();
        topology.addSource(SOURCE, in, in, settings.inputTopic());
        topology.addProcessor(SCORER, () -> new ScoringProcessor(spec), SOURCE);
        if (batched) {
            topology.addStateStore(PendingBatchStore.builder(PENDING_STORE), SCORER);
        }
        // exactly the stores the spec names, so which ones exist is decided once, above
        for (String store : spec.entityStores()) {
            topology.addStateStore(entityStore(store), SCORER);
        }
        topology.addSink(LATENTS_SINK, settings.latentsTopic(), out, out, SCORER);
        topology.addSink(ALERTS_SINK, settings.alertsTopic(), out, out, SCORER);
        topology.addSink(DEAD_LETTER_SINK, settings.dlqTopic(), out, out, SCORER);
        return topology;
    }

    /**
     * A topology of the same shape whose processor only decodes, featurises, encodes a latent code of zeros and
     * forwards it: no model, no state. Benchmarks use it as the ceiling of what scoring could reach; tabular
     * bundles only.
     */
    public static Topology buildPassThrough(StreamsSettings settings, ModelBundle bundle, ScoringMetrics metrics) {
        if (bundle.manifest().windowLength() > 1) {
            throw new IllegalArgumentException("the pass-through topology takes tabular bundles (window length 1)");
        }
        ScoringSpec spec = new ScoringSpec(bundle, settings.scorerOptions(), settings.inputFormat(),
                settings.maxRecordBytes(), bundle.manifest().thresholds(), settings.topK(), null, LATENTS_SINK,
                ALERTS_SINK, DEAD_LETTER_SINK, metrics, null, 1, settings.batchMaxWaitMs(), false, null,
                settings.episodePolicy(), settings.windowPolicy(), null, AlertScoring.RECONSTRUCTION, null, null, null);
        ByteArrayDeserializer in = new ByteArrayDeserializer();
        ByteArraySerializer out = new ByteArraySerializer();
        Topology topology = new Topology();
        topology.addSource(SOURCE, in, in, settings.inputTopic());
        topology.addProcessor(SCORER, () -> new PassThroughProcessor(spec), SOURCE);
        topology.addSink(LATENTS_SINK, settings.latentsTopic(), out, out, SCORER);
        return topology;
    }

    /**
     * A store of one entry per entity. Persistent and changelogged, so a restarted task, or one moved to another
     * instance, goes on with full windows, running episodes (their UPDATE and CLOSE keep the episode id), score
     * statistics and value ranges instead of starting afresh; cached, so a busy entity writes its entry to the
     * changelog once per commit, not once per record. Episodes: only running ones are stored (a CLOSE deletes).
     */
    private static StoreBuilder<KeyValueStore<String, byte[]>> entityStore(String name) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), Serdes.ByteArray())
                .withLoggingEnabled(Map.of())
                .withCachingEnabled();
    }

    /** The bundle's thresholds with the configured overrides applied. */
    static Thresholds effectiveThresholds(StreamsSettings settings, Thresholds bundle) {
        if (settings.warningThreshold().isEmpty() && settings.criticalThreshold().isEmpty()) {
            return bundle;
        }
        double warning = settings.warningThreshold().orElse(bundle.warning());
        double critical = settings.criticalThreshold().orElse(bundle.critical());
        if (warning > critical) {
            String key = settings.warningThreshold().isPresent()
                    ? LatentwatchStreamsConfig.WARNING_THRESHOLD_CONFIG : LatentwatchStreamsConfig.CRITICAL_THRESHOLD_CONFIG;
            throw new ConfigException(key, key.equals(LatentwatchStreamsConfig.WARNING_THRESHOLD_CONFIG) ? warning : critical,
                    "the effective warning threshold " + warning + " would be above the critical threshold " + critical
                            + " (the bundle's are " + bundle.warning() + " and " + bundle.critical() + ")");
        }
        // An overridden threshold was not taken at a quantile: record that as NaN rather than keep a wrong one.
        return new Thresholds(warning, critical,
                settings.warningThreshold().isPresent() ? Double.NaN : bundle.warningQuantile(),
                settings.criticalThreshold().isPresent() ? Double.NaN : bundle.criticalQuantile());
    }
}
