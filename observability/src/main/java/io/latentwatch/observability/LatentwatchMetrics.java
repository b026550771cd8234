package io.latentwatch.observability;

import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.features.RejectionReason;
import io.latentwatch.schemas.AlertEvent;
import io.latentwatch.schemas.Severity;
import io.latentwatch.streaming.ScoringMetrics;
import io.latentwatch.streaming.StreamsSettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBucket;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The service's metrics in a Prometheus registry (Micrometer): what the scoring processor reports through
 * {@link ScoringMetrics}, the model being served, JVM metrics and, once {@link #bindKafkaStreams bound}, the Kafka
 * Streams client metrics and the consumer lag on the input topic.
 *
 * <p>Meter names below are Micrometer names; Prometheus sees dots as underscores, counters with {@code _total},
 * timers in seconds ({@code latentwatch.scoring.latency} becomes {@code latentwatch_scoring_latency_seconds}).
 * Counters of every severity, episode event and dead-letter reason exist from the start at zero, so dashboards and alert rules
 * never query a missing series. Thread-safe.
 */
public final class LatentwatchMetrics implements ScoringMetrics, AutoCloseable {
    /** Counter: input records that arrived (before decoding). */
    public static final String RECORDS_RECEIVED = "latentwatch.records.received";
    /** Counter: records scored (one latent code each). */
    public static final String RECORDS_SCORED = "latentwatch.records.scored";
    /** Counter, tag {@code reason}: records sent to the dead-letter topic. */
    public static final String RECORDS_DEAD_LETTERED = "latentwatch.records.dead.lettered";
    /** Counter, tag {@code severity}: alerts emitted (records on the alerts topic: every episode event is one). */
    public static final String ALERTS = "latentwatch.alerts";
    /** Counter, tags {@code event} (OPEN, UPDATE, CLOSE) and {@code severity}: alert-episode events emitted. */
    public static final String EPISODE_EVENTS = "latentwatch.alert.episode.events";
    /** Timer with histogram: time of one ONNX Runtime call (one batch). */
    public static final String SCORING_LATENCY = "latentwatch.scoring.latency";
    /** Distribution with histogram: rows per ONNX Runtime call. */
    public static final String BATCH_SIZE = "latentwatch.batch.size";
    /** Distribution with histogram, tag {@code trigger}: records per micro-batch flush. */
    public static final String MICRO_BATCH_SIZE = "latentwatch.micro.batch.size";
    /** Timer with histogram: how long the oldest record of a micro-batch waited before scoring. */
    public static final String MICRO_BATCH_WAIT = "latentwatch.micro.batch.wait";
    /** Timer with histogram: wall clock at scoring minus the record's timestamp (event-time lag). */
    public static final String END_TO_END_LAG = "latentwatch.end.to.end.lag";
    /** Prometheus histogram (not a Micrometer meter): anomaly scores; bucket bounds include both thresholds. */
    public static final String SCORE = "latentwatch_score";
    /** Gauge, tag {@code severity}: the alert thresholds in force. */
    public static final String ALERT_THRESHOLD = "latentwatch.alert.threshold";
    /** Gauge = 1, tags {@code model_id}, {@code model_version}, {@code execution_provider}: the model serving. */
    public static final String MODEL_INFO = "latentwatch.model.info";
    /** Counter, tags {@code model_id} and {@code reason}: promoted model versions this instance refused to serve. */
    public static final String MODELS_REFUSED = "latentwatch.models.refused";
    /** Gauge: records behind the end of the input topic, summed over the partitions this instance reads. */
    public static final String CONSUMER_LAG = "latentwatch.consumer.lag";
    /** Gauge: 1 while Kafka Streams is RUNNING, else 0. */
    public static final String STREAMS_RUNNING = "latentwatch.streams.running";

    private static final double[] PERCENTILES = {0.5, 0.99};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** Thresholds in force: set at start, then by the serving tasks (a swapped-in version brings its own). */
    private volatile double warningThreshold;
    private volatile double criticalThreshold;
    /** The reconstruction-score thresholds at start, bucket bounds of the score histogram (fixed: buckets cannot move). */
    private final double histogramWarning;
    private final double histogramCritical;
    private final Counter received;
    private final Counter scored;
    private final Map<RejectionReason, Counter> deadLettered = new EnumMap<>(RejectionReason.class);
    private final Map<Severity, Counter> alerts = new EnumMap<>(Severity.class);
    private final Map<String, Counter> episodeEvents = new ConcurrentHashMap<>();
    private final Timer scoringLatency;
    private final DistributionSummary batchSize;
    private final Map<String, DistributionSummary> microBatchSize = new ConcurrentHashMap<>();
    private final Timer microBatchWait;
    private final Timer endToEndLag;
    private final Histogram score;
    private final MultiGauge modelInfo;
    private final List<AutoCloseable> binders = new ArrayList<>();
    private volatile ModelServing serving;

    /** The model serving: id, version, ONNX Runtime execution provider. */
    public record ModelServing(String modelId, String modelVersion, String executionProvider) {}

    /**
     * Creates the registry and its meters.
     *
     * @param warningThreshold the warning threshold in force (a bucket bound of the score histogram)
     * @param criticalThreshold the critical threshold in force
     */
    public LatentwatchMetrics(double warningThreshold, double criticalThreshold) {
        if (!(warningThreshold >= 0) || !(criticalThreshold >= warningThreshold) || Double.isInfinite(criticalThreshold)) {
            throw new IllegalArgumentException("thresholds must be finite with 0 <= warning <= critical, got warning="
                    + warningThreshold + " critical=" + criticalThreshold);
        }
        this.warningThreshold = warningThreshold;
        this.criticalThreshold = criticalThreshold;
        this.histogramWarning = warningThreshold;
        this.histogramCritical = criticalThreshold;
        received = Counter.builder(RECORDS_RECEIVED).description("Input records that arrived, before decoding").register(registry);
        scored = Counter.builder(RECORDS_SCORED).description("Records scored (one latent code each)").register(registry);
        for (RejectionReason r : RejectionReason.values()) {
            deadLettered.put(r, Counter.builder(RECORDS_DEAD_LETTERED).tag("reason", r.name())
                    .description("Records sent to the dead-letter topic").register(registry));
        }
        for (Severity s : Severity.values()) {
            alerts.put(s, Counter.builder(ALERTS).tag("severity", s.name()).description("Alerts emitted").register(registry));
            for (AlertEvent e : AlertEvent.values()) {
                episodeEvents.put(e.name() + "/" + s.name(), episodeCounter(e.name(), s));
            }
        }
        Gauge.builder(ALERT_THRESHOLD, this, m -> m.warningThreshold).tag("severity", Severity.WARNING.name())
                .description("Alert threshold in force on the score alerts are raised on (alerts.score)").register(registry);
        Gauge.builder(ALERT_THRESHOLD, this, m -> m.criticalThreshold).tag("severity", Severity.CRITICAL.name())
                .description("Alert threshold in force on the score alerts are raised on (alerts.score)").register(registry);
        scoringLatency = Timer.builder(SCORING_LATENCY).description("Time of one ONNX Runtime call (one batch)")
                .publishPercentiles(PERCENTILES).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(10_000)).maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        batchSize = DistributionSummary.builder(BATCH_SIZE).description("Rows per ONNX Runtime call")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096).register(registry);
        for (String trigger : List.of("size", "time")) {
            microBatchSize.put(trigger, microBatchSummary(trigger));
        }
        microBatchWait = Timer.builder(MICRO_BATCH_WAIT)
                .description("How long the oldest record of a micro-batch waited before scoring")
                .publishPercentiles(PERCENTILES).publishPercentileHistogram()
                .maximumExpectedValue(Duration.ofSeconds(60)).register(registry);
        endToEndLag = Timer.builder(END_TO_END_LAG)
                .description("Wall clock at scoring minus the record's timestamp")
                .publishPercentiles(PERCENTILES).publishPercentileHistogram()
                .maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
        // The Prometheus client's own histogram: Micrometer's summaries round values up to whole numbers in their
        // buckets, and scores are mostly below 1.
        score = Histogram.builder().name("latentwatch_score").help("Anomaly scores (bucket bounds include the thresholds)")
                .classicUpperBounds(scoreBuckets(warningThreshold, criticalThreshold)).classicOnly().withoutExemplars()
                .register(registry.getPrometheusRegistry());
        modelInfo = MultiGauge.builder(MODEL_INFO).description("The model serving (value 1; labels name it)").register(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        binders.add(gc);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** Metrics for serving {@code bundle} under {@code settings}: the thresholds are the configured or calibrated ones. */
    public static LatentwatchMetrics forService(StreamsSettings settings, ModelBundle bundle) {
        var t = bundle.manifest().thresholds();
        return new LatentwatchMetrics(settings.warningThreshold().orElse(t.warning()),
                settings.criticalThreshold().orElse(t.critical()));
    }

    /**
     * Adds the Kafka Streams client metrics (Micrometer's {@link KafkaStreamsMetrics}), the consumer lag on
     * {@code inputTopic} and the RUNNING gauge. Call once, before or after the client starts.
     */
    public synchronized void bindKafkaStreams(KafkaStreams streams, String inputTopic) {
        KafkaStreamsMetrics kafka = new KafkaStreamsMetrics(streams);
        kafka.bindTo(registry);
        binders.add(kafka);
        Gauge.builder(CONSUMER_LAG, streams, s -> consumerLag(s.metrics(), inputTopic)).baseUnit("records")
                .description("Records behind the end of the input topic, summed over this instance's partitions")
                .register(registry);
        Gauge.builder(STREAMS_RUNNING, streams, s -> s.state() == KafkaStreams.State.RUNNING ? 1 : 0)
                .description("1 while Kafka Streams is RUNNING").register(registry);
    }

    /** Sum of the main consumers' {@code records-lag} on the input topic; NaN until a partition has reported one. */
    static double consumerLag(Map<MetricName, ? extends Metric> metrics, String inputTopic) {
        double sum = 0;
        boolean any = false;
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            MetricName n = e.getKey();
            if (!n.name().equals("records-lag") || !n.group().equals("consumer-fetch-manager-metrics")
                    || !inputTopic.equals(n.tags().get("topic")) || n.tags().getOrDefault("client-id", "").contains("restore")) {
                continue;
            }
            Object v = e.getValue().metricValue();
            if (v instanceof Number num && Double.isFinite(num.doubleValue())) {
                sum += num.doubleValue();
                any = true;
            }
        }
        return any ? sum : Double.NaN;
    }

    /** The registry, to add meters or read them. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The metrics in the Prometheus text format, as served on {@code /metrics}. */
    public String scrape() {
        return registry.scrape();
    }

    /**
     * The score histogram as {@code /metrics} shows it.
     *
     * @param upperBounds bucket upper bounds, ascending, without +Inf
     * @param cumulativeCounts records with a score at or below each bound
     * @param count all records scored
     */
    /**
     * A snapshot of the reconstruction-score histogram.
     *
     * @param warning the warning threshold among the bucket bounds (the one in force when the service started)
     * @param critical the critical threshold among the bucket bounds
     */
    public record ScoreHistogram(double[] upperBounds, long[] cumulativeCounts, long count, double warning,
                                 double critical) {}

    /** A snapshot of the score histogram. */
    public ScoreHistogram scoreHistogram() {
        HistogramSnapshot.HistogramDataPointSnapshot p = score.collect().getDataPoints().get(0);
        List<Double> bounds = new ArrayList<>();
        List<Long> cumulative = new ArrayList<>();
        long running = 0;
        for (ClassicHistogramBucket b : p.getClassicBuckets()) {
            running += b.getCount();
            if (Double.isFinite(b.getUpperBound())) {
                bounds.add(b.getUpperBound());
                cumulative.add(running);
            }
        }
        return new ScoreHistogram(bounds.stream().mapToDouble(Double::doubleValue).toArray(),
                cumulative.stream().mapToLong(Long::longValue).toArray(), p.getCount(), histogramWarning, histogramCritical);
    }

    public double warningThreshold() {
        return warningThreshold;
    }

    public double criticalThreshold() {
        return criticalThreshold;
    }

    /** The model last reported serving, if any. */
    public Optional<ModelServing> modelServing() {
        return Optional.ofNullable(serving);
    }

    @Override
    public void recordReceived() {
        received.increment();
    }

    @Override
    public void batchScored(int rows, long nanos) {
        scoringLatency.record(nanos, TimeUnit.NANOSECONDS);
        batchSize.record(rows);
    }

    @Override
    public void recordScored(double score, long endToEndMillis) {
        scored.increment();
        this.score.observe(score);
        endToEndLag.record(Math.max(0, endToEndMillis), TimeUnit.MILLISECONDS);
    }

    @Override
    public void deadLettered(RejectionReason reason) {
        deadLettered.get(reason).increment();
    }

    @Override
    public void alertEmitted(Severity severity) {
        alerts.get(severity).increment();
    }

    @Override
    public void episodeEvent(String type, Severity severity) {
        episodeEvents.computeIfAbsent(type + "/" + severity.name(), k -> episodeCounter(type, severity)).increment();
    }

    private Counter episodeCounter(String type, Severity severity) {
        return Counter.builder(EPISODE_EVENTS).tag("event", type).tag("severity", severity.name())
                .description("Alert-episode events emitted (OPEN, UPDATE, CLOSE)").register(registry);
    }

    @Override
    public void modelRefused(String modelId, String modelVersion, String reason) {
        // Tagged by reason, not version: versions would grow the series without bound.
        Counter.builder(MODELS_REFUSED).tag("model_id", modelId).tag("reason", reason)
                .description("Promoted model versions refused (the previous model kept serving)").register(registry)
                .increment();
    }

    @Override
    public void microBatchFlushed(int records, long oldestWaitMillis, String trigger) {
        microBatchSize.computeIfAbsent(trigger, this::microBatchSummary).record(records);
        microBatchWait.record(Math.max(0, oldestWaitMillis), TimeUnit.MILLISECONDS);
    }

    private DistributionSummary microBatchSummary(String trigger) {
        return DistributionSummary.builder(MICRO_BATCH_SIZE).tag("trigger", trigger)
                .description("Records per micro-batch flush")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096).register(registry);
    }

    @Override
    public void thresholdsInForce(double warning, double critical) {
        warningThreshold = warning;
        criticalThreshold = critical;
    }

    @Override
    public void modelServing(String modelId, String modelVersion, String executionProvider) {
        ModelServing now = new ModelServing(modelId, modelVersion, executionProvider);
        if (now.equals(serving)) {
            return; // every stream task reports on open
        }
        synchronized (modelInfo) {
            serving = now;
            modelInfo.register(List.of(MultiGauge.Row.of(Tags.of("model_id", modelId, "model_version", modelVersion,
                    "execution_provider", executionProvider), 1)), true);
        }
    }

    /** Closes the binders (the Kafka Streams metrics scheduler) and the registry. */
    @Override
    public synchronized void close() {
        for (AutoCloseable b : binders) {
            try {
                b.close();
            } catch (Exception ignored) {
                // best effort on shutdown
            }
        }
        registry.close();
    }

    /**
     * Score histogram bounds: fractions and multiples of the thresholds, so the buckets either side of each threshold
     * are exact and the histogram reads the same in Grafana and on the dashboard.
     */
    static double[] scoreBuckets(double warning, double critical) {
        TreeSet<Double> b = new TreeSet<>();
        double base = warning > 0 ? warning : (critical > 0 ? critical : 1.0);
        for (double f : new double[] {1.0 / 64, 1.0 / 32, 1.0 / 16, 1.0 / 8, 1.0 / 4, 1.0 / 2, 3.0 / 4}) {
            b.add(base * f);
        }
        b.add(warning);
        b.add(critical);
        double top = critical > 0 ? critical : base;
        for (double f : new double[] {2, 4, 8, 16, 64}) {
            b.add(top * f);
        }
        b.removeIf(x -> !(x > 0));
        return b.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
