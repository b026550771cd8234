package io.latentwatch.streaming;

import io.latentwatch.core.features.GapPolicy;
import io.latentwatch.core.features.WindowPolicy;
import io.latentwatch.core.scoring.AnomalyLikelihood;
import io.latentwatch.core.scoring.DaySlots;
import io.latentwatch.core.scoring.ExecutionProvider;
import io.latentwatch.core.scoring.GraphOptimizationLevel;
import io.latentwatch.core.scoring.ValueRange;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Configuration of the latentwatch streaming application.
 *
 * <p>Every key has a name constant, a documented default and a validator: a wrong value fails at construction
 * with a {@link ConfigException} naming the key and the allowed values. Keys prefixed {@value #CLIENT_PREFIX}
 * are handed to the Kafka clients with the prefix removed (TLS, SASL, tuning); keys this application manages
 * itself cannot be overridden that way. {@link #configReferenceMarkdown()} renders the reference for the README.
 */
public final class LatentwatchStreamsConfig extends AbstractConfig {
    private static final Logger LOG = LoggerFactory.getLogger(LatentwatchStreamsConfig.class);

    /** Prefix of pass-through Kafka client settings. */
    public static final String CLIENT_PREFIX = "kafka.";

    public static final String APPLICATION_ID_CONFIG = "application.id";
    private static final String APPLICATION_ID_DOC = "Kafka Streams application id: the consumer group and the prefix of internal topics.";

    public static final String BOOTSTRAP_SERVERS_CONFIG = "bootstrap.servers";
    private static final String BOOTSTRAP_SERVERS_DOC = "Comma-separated host:port pairs of Kafka brokers.";

    public static final String INPUT_TOPIC_CONFIG = "input.topic";
    private static final String INPUT_TOPIC_DOC = "Topic of observations to score. Key the records by entity when the model uses windows.";

    public static final String INPUT_FORMAT_CONFIG = "input.format";
    private static final String INPUT_FORMAT_DOC = "Encoding of input records: json (UTF-8 object with entity, timestamp and values or fields) "
            + "or avro (single-object encoding of io.latentwatch.schemas.Observation).";

    public static final String LATENTS_TOPIC_CONFIG = "latents.topic";
    private static final String LATENTS_TOPIC_DOC = "Topic of latent codes (Avro LatentCode, single-object encoding), one per scored record, keyed by entity.";

    public static final String ALERTS_TOPIC_CONFIG = "alerts.topic";
    private static final String ALERTS_TOPIC_DOC = "Topic of alerts (Avro Alert, single-object encoding), keyed by entity.";

    public static final String DLQ_TOPIC_CONFIG = "dlq.topic";
    private static final String DLQ_TOPIC_DOC = "Dead-letter topic: rejected records with their original key and value and latentwatch.* headers giving the reason.";

    public static final String MODEL_BUNDLE_CONFIG = "model.bundle";
    private static final String MODEL_BUNDLE_DOC = "Directory of the model bundle (model.onnx and manifest.json); a relative path resolves against the working directory. Required.";

    public static final String EXECUTION_PROVIDER_CONFIG = "scoring.execution-provider";
    private static final String EXECUTION_PROVIDER_DOC = "Where ONNX Runtime runs the model; auto tries cuda, then coreml, then cpu.";

    public static final String EXECUTION_PROVIDER_FALLBACK_CONFIG = "scoring.execution-provider.fallback";
    private static final String EXECUTION_PROVIDER_FALLBACK_DOC = "When an explicitly requested provider is unavailable, fall back to cpu instead of failing at start.";

    public static final String INTRA_OP_THREADS_CONFIG = "scoring.intra-op-threads";
    private static final String INTRA_OP_THREADS_DOC = "ONNX Runtime threads inside one operator, per stream task.";

    public static final String INTER_OP_THREADS_CONFIG = "scoring.inter-op-threads";
    private static final String INTER_OP_THREADS_DOC = "ONNX Runtime threads across operators, per stream task (the graph is a chain of dense layers: 1 is enough).";

    public static final String GRAPH_OPTIMIZATION_LEVEL_CONFIG = "scoring.graph-optimization-level";
    private static final String GRAPH_OPTIMIZATION_LEVEL_DOC = "How much ONNX Runtime rewrites the graph when a session opens (disabled, basic, extended, all).";

    public static final String BATCH_MAX_RECORDS_CONFIG = "scoring.batch.max-records";
    private static final String BATCH_MAX_RECORDS_DOC = "Micro-batch size: records are scored together once this many are pending (or after "
            + "scoring.batch.max-wait-ms). Pending records are written to a changelogged store at each commit, so none is lost on a crash. "
            + "1 scores every record on its own and uses no store.";

    public static final String BATCH_PIPELINE_CONFIG = "scoring.batch.pipeline";
    private static final String BATCH_PIPELINE_DOC = "Whether a full micro-batch is decoded, scored and encoded on a shared pool of scoring threads (one per core) "
            + "while the stream thread takes in the next one (outputs keep input order); false does it all on the stream thread.";

    public static final String BATCH_MAX_WAIT_MS_CONFIG = "scoring.batch.max-wait-ms";
    private static final String BATCH_MAX_WAIT_MS_DOC = "Longest a pending record waits (wall clock) before its micro-batch is scored anyway; "
            + "unset adapts it: under exactly-once to half of commit.interval.ms (at least 1 ms), since outputs only become visible "
            + "at a commit; under at-least-once, where outputs are visible once sent, to the same but at most 10 ms.";

    public static final String TOP_K_CONFIG = "alerts.top-k";
    private static final String TOP_K_DOC = "Number of largest feature contributions listed in each alert.";

    public static final String WARNING_THRESHOLD_CONFIG = "alerts.warning-threshold";
    private static final String WARNING_THRESHOLD_DOC = "A record whose score is strictly above this is anomalous (WARNING); unset uses the bundle's calibrated threshold.";

    public static final String CRITICAL_THRESHOLD_CONFIG = "alerts.critical-threshold";
    private static final String CRITICAL_THRESHOLD_DOC = "A record whose score is strictly above this is CRITICAL; unset uses the bundle's calibrated threshold.";

    public static final String EPISODE_COOLDOWN_MS_CONFIG = "alerts.episode.cooldown-ms";
    private static final String EPISODE_COOLDOWN_MS_DOC = "An alert episode (a run of anomalous records of one entity) closes at the entity's "
            + "first normal record at least this long (event time) after its last anomalous one; anomalous records within "
            + "the cooldown continue the episode. 0 closes it at the first normal record.";

    public static final String EPISODE_MIN_DURATION_MS_CONFIG = "alerts.episode.min-duration-ms";
    private static final String EPISODE_MIN_DURATION_MS_DOC = "An episode is announced (OPEN) only once it has lasted this long "
            + "(event time, first to latest anomalous record); shorter ones emit nothing. 0 opens at the first anomalous record.";

    public static final String EPISODE_UPDATE_INTERVAL_MS_CONFIG = "alerts.episode.update-interval-ms";
    private static final String EPISODE_UPDATE_INTERVAL_MS_DOC = "Least event time between two events of one episode: an UPDATE "
            + "(severity change) within it waits for the next anomalous record after it. 0 reports every severity change.";

    public static final String EPISODE_IDLE_CLOSE_MS_CONFIG = "alerts.episode.idle-close-ms";
    private static final String EPISODE_IDLE_CLOSE_MS_DOC = "Closes the episode of an entity that sent nothing for this long (event "
            + "time), judged against the newest record its task has seen from any entity; checked every "
            + "min(idle-close-ms / 2, 60 s) of stream time. 0 keeps it open until the entity's next record.";

    public static final String ALERT_SCORE_CONFIG = "alerts.score";
    private static final String ALERT_SCORE_DOC = "What alerts are raised on: 'reconstruction', the model's reconstruction score against "
            + "the bundle's thresholds (or alerts.warning-threshold / alerts.critical-threshold); 'likelihood', how unusual that "
            + "score is for the entity lately (a per-entity anomaly likelihood, log score in [0, 1]) against "
            + "alerts.likelihood.warning / alerts.likelihood.critical. Choose likelihood for drifting time series and for entities "
            + "that differ from each other.";

    public static final String LIKELIHOOD_HISTORY_CONFIG = "alerts.likelihood.history";
    private static final String LIKELIHOOD_HISTORY_DOC = "alerts.score=likelihood: records over which each entity's score "
            + "statistics forget; a lasting change stops alerting after about this many records.";

    public static final String LIKELIHOOD_MIN_HISTORY_CONFIG = "alerts.likelihood.min-history";
    private static final String LIKELIHOOD_MIN_HISTORY_DOC = "alerts.score=likelihood: records an entity sends (after its "
            + "window fills) before it can alert; they only build its statistics. Also after a model swap.";

    public static final String LIKELIHOOD_SHORT_TERM_CONFIG = "alerts.likelihood.short-term";
    private static final String LIKELIHOOD_SHORT_TERM_DOC = "alerts.score=likelihood: how many of an entity's latest log "
            + "scores (the record's own included) a record is judged by: their mean against the entity's statistics, "
            + "with the standard error of a mean. A change lasting a few records then stands out from single noisy ones. "
            + "1 judges each record alone.";

    public static final String LIKELIHOOD_DAILY_SLOTS_CONFIG = "alerts.likelihood.daily-slots";
    private static final String LIKELIHOOD_DAILY_SLOTS_DOC = "alerts.score=likelihood: also keep the statistics per slot "
            + "of the day (UTC, by event time; 8 slots are 3 hours each), each fed its slot's records, and judge a record by "
            + "the smaller of its entity's log score and its slot's: an alert needs a score unusual both lately and for "
            + "its time of day, so busy hours' larger errors stop alerting. A slot warms up after its share of "
            + "alerts.likelihood.min-history and forgets over its share of alerts.likelihood.history. 0 keeps the "
            + "entity's statistics only.";

    public static final String LIKELIHOOD_CLIP_STD_CONFIG = "alerts.likelihood.clip-std";
    private static final String LIKELIHOOD_CLIP_STD_DOC = "alerts.score=likelihood: once an entity is warm, each log score "
            + "moves its statistics by at most this many standard deviations, so anomalies do not widen the spread that "
            + "later ones are judged against (a lasting change still moves them, more slowly). 0 does not clip.";

    public static final String LIKELIHOOD_WARNING_CONFIG = "alerts.likelihood.warning";
    private static final String LIKELIHOOD_WARNING_DOC = "alerts.score=likelihood: log score strictly above which a record "
            + "is anomalous (WARNING). 0.3 is a tail probability of about 1e-3, 0.5 about 1e-5, 0.7 about 1e-7.";

    public static final String LIKELIHOOD_CRITICAL_CONFIG = "alerts.likelihood.critical";
    private static final String LIKELIHOOD_CRITICAL_DOC = "alerts.score=likelihood: log score strictly above which a record "
            + "is CRITICAL; not below alerts.likelihood.warning.";

    public static final String RANGE_TOLERANCE_CONFIG = "alerts.range.tolerance";
    private static final String RANGE_TOLERANCE_DOC = "Beside alerts.score: a record is anomalous, and CRITICAL, when a "
            + "feature's value lies outside the range its entity has shown so far (smallest to largest value), widened on "
            + "each side by this share of the range's width; the alert names those features (outOfRange). Catches a value "
            + "never seen before at its first record, where a window model and the likelihood react later. 0 turns the "
            + "whole-range check off (see alerts.range.daily-slots for ranges per time of day).";

    public static final String RANGE_MIN_HISTORY_CONFIG = "alerts.range.min-history";
    private static final String RANGE_MIN_HISTORY_DOC = "alerts.range.tolerance above 0: scored records an entity sends "
            + "before its values are checked against its range; they only build it.";

    public static final String RANGE_DAILY_SLOTS_CONFIG = "alerts.range.daily-slots";
    private static final String RANGE_DAILY_SLOTS_DOC = "Also keep a range per slot of the day (UTC, by event time; 8 slots "
            + "are 3 hours each) and treat a value beyond its slot's range, widened by alerts.range.daily-tolerance, like "
            + "one beyond the whole range: a value ordinary at noon can be unheard of at night. A slot is checked once it "
            + "has seen its share of alerts.range.min-history. 0 keeps the whole range only.";

    public static final String RANGE_DAILY_TOLERANCE_CONFIG = "alerts.range.daily-tolerance";
    private static final String RANGE_DAILY_TOLERANCE_DOC = "alerts.range.daily-slots above 0: share of a slot's range "
            + "added on each side before a value counts as outside it (a slot's range is narrower than the whole range).";

    public static final String RANGE_LEVEL_RECORDS_CONFIG = "alerts.range.level-records";
    private static final String RANGE_LEVEL_RECORDS_DOC = "Also keep the range of each feature's level, the mean of its "
            + "entity's last N values, and treat a level outside the range of the levels before it, widened by "
            + "alerts.range.level-tolerance, like a value beyond the whole range: a shift to a level the entity never held "
            + "that long (a machine stuck half-way, load at a fraction of its usual), though each value is ordinary. "
            + "Checked once alerts.range.min-history levels have been seen; the store keeps the last N values of each "
            + "feature. 0 turns it off.";

    public static final String RANGE_LEVEL_TOLERANCE_CONFIG = "alerts.range.level-tolerance";
    private static final String RANGE_LEVEL_TOLERANCE_DOC = "alerts.range.level-records above 0: share of the levels' "
            + "range added on each side before a level counts as outside it.";

    public static final String MAX_RECORD_BYTES_CONFIG = "input.max-record-bytes";
    private static final String MAX_RECORD_BYTES_DOC = "Largest input record (key plus value bytes) that is decoded; larger ones are dead-lettered as TOO_LARGE.";

    public static final String WINDOW_GRACE_MS_CONFIG = "windows.grace-ms";
    private static final String WINDOW_GRACE_MS_DOC = "Windowed models: a record up to this much older (event time) than its entity's newest "
            + "is placed in the window in event-time order; an older one is dead-lettered as LATE_RECORD. 0 accepts none older "
            + "(equal timestamps keep arrival order).";

    public static final String WINDOW_MAX_GAP_MS_CONFIG = "windows.max-gap-ms";
    private static final String WINDOW_MAX_GAP_MS_DOC = "Windowed models: a record more than this (event time) after its entity's newest "
            + "triggers windows.gap-policy; unset never does.";

    public static final String WINDOW_GAP_POLICY_CONFIG = "windows.gap-policy";
    private static final String WINDOW_GAP_POLICY_DOC = "What a gap longer than windows.max-gap-ms does: reset empties the window (nothing is "
            + "scored for the entity until it is full again); impute-last first fills the missing steps (gap over the "
            + "window's median spacing, at most W-1) with the last row.";

    public static final String PROCESSING_GUARANTEE_CONFIG = "processing.guarantee";
    private static final String PROCESSING_GUARANTEE_DOC = "Kafka Streams processing guarantee.";

    public static final String STATE_DIR_CONFIG = "state.dir";
    private static final String STATE_DIR_DOC = "Directory of local state (per-entity windows in RocksDB).";

    public static final String COMMIT_INTERVAL_MS_CONFIG = "commit.interval.ms";
    private static final String COMMIT_INTERVAL_MS_DOC = "How often Kafka Streams commits; with exactly_once_v2 this bounds the latency of outputs.";

    public static final String REPLICATION_FACTOR_CONFIG = "topics.replication-factor";
    private static final String REPLICATION_FACTOR_DOC = "Replication factor of the topics this application creates: internal changelogs and missing input/output topics.";

    public static final String MODELS_TOPIC_CONFIG = "models.topic";
    private static final String MODELS_TOPIC_DOC = "Compacted topic of model events (Avro ModelEvent keyed by model id) that `latentwatch models promote|rollback` "
            + "and `latentwatch retrain` publish; created (compacted, 1 partition) when missing.";

    public static final String MODELS_FOLLOW_CONFIG = "models.follow";
    private static final String MODELS_FOLLOW_DOC = "Follow models.topic: when a version of the served model id is promoted or rolled back to, load its bundle "
            + "in the background, verify its SHA-256 and input shape, warm it up and switch every stream task to it between two "
            + "micro-batches (no restart). A bundle that fails is refused and the current model keeps serving. false serves model.bundle for good.";

    private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final String DEFAULT_STATE_DIR =
            Path.of(System.getProperty("java.io.tmpdir"), "latentwatch-streams").toString();

    /**
     * Kafka settings this application sets itself; a {@code kafka.}-prefixed copy would silently fight them.
     * Maps each to the latentwatch key to use instead (null: not configurable).
     */
    private static final Map<String, String> MANAGED_CLIENT_KEYS = managedClientKeys();

    private static final ConfigDef CONFIG = new ConfigDef()
            .define(APPLICATION_ID_CONFIG, Type.STRING, "latentwatch", new TopicNameValidator(), Importance.HIGH, APPLICATION_ID_DOC)
            .define(BOOTSTRAP_SERVERS_CONFIG, Type.STRING, "127.0.0.1:9092", new ConfigDef.NonEmptyString(), Importance.HIGH, BOOTSTRAP_SERVERS_DOC)
            .define(INPUT_TOPIC_CONFIG, Type.STRING, "observations", new TopicNameValidator(), Importance.HIGH, INPUT_TOPIC_DOC)
            .define(INPUT_FORMAT_CONFIG, Type.STRING, InputFormat.JSON.configName(), validEnum(InputFormat.values()), Importance.HIGH, INPUT_FORMAT_DOC)
            .define(LATENTS_TOPIC_CONFIG, Type.STRING, "latents", new TopicNameValidator(), Importance.HIGH, LATENTS_TOPIC_DOC)
            .define(ALERTS_TOPIC_CONFIG, Type.STRING, "alerts", new TopicNameValidator(), Importance.HIGH, ALERTS_TOPIC_DOC)
            .define(DLQ_TOPIC_CONFIG, Type.STRING, "observations-dlq", new TopicNameValidator(), Importance.HIGH, DLQ_TOPIC_DOC)
            .define(MODEL_BUNDLE_CONFIG, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH, MODEL_BUNDLE_DOC)
            .define(EXECUTION_PROVIDER_CONFIG, Type.STRING, ExecutionProvider.CPU.configName(), validEnum(ExecutionProvider.values()), Importance.MEDIUM, EXECUTION_PROVIDER_DOC)
            .define(EXECUTION_PROVIDER_FALLBACK_CONFIG, Type.BOOLEAN, false, new BooleanValidator(), Importance.MEDIUM, EXECUTION_PROVIDER_FALLBACK_DOC)
            .define(INTRA_OP_THREADS_CONFIG, Type.INT, 1, ConfigValidators.wholeRange(Range.between(1, 1024)), Importance.MEDIUM, INTRA_OP_THREADS_DOC)
            .define(INTER_OP_THREADS_CONFIG, Type.INT, 1, ConfigValidators.wholeRange(Range.between(1, 1024)), Importance.LOW, INTER_OP_THREADS_DOC)
            .define(GRAPH_OPTIMIZATION_LEVEL_CONFIG, Type.STRING, GraphOptimizationLevel.ALL.configName(), validEnum(GraphOptimizationLevel.values()), Importance.LOW, GRAPH_OPTIMIZATION_LEVEL_DOC)
            .define(BATCH_MAX_RECORDS_CONFIG, Type.INT, 256, ConfigValidators.wholeRange(Range.between(1, 65536)), Importance.MEDIUM, BATCH_MAX_RECORDS_DOC)
            .define(BATCH_PIPELINE_CONFIG, Type.BOOLEAN, true, new BooleanValidator(), Importance.LOW, BATCH_PIPELINE_DOC)
            .define(BATCH_MAX_WAIT_MS_CONFIG, Type.LONG, null, new OptionalRangeValidator(1, 60_000), Importance.MEDIUM, BATCH_MAX_WAIT_MS_DOC)
            .define(TOP_K_CONFIG, Type.INT, 3, ConfigValidators.wholeRange(Range.between(1, 100)), Importance.MEDIUM, TOP_K_DOC)
            .define(WARNING_THRESHOLD_CONFIG, Type.DOUBLE, null, new OptionalThresholdValidator(), Importance.MEDIUM, WARNING_THRESHOLD_DOC)
            .define(CRITICAL_THRESHOLD_CONFIG, Type.DOUBLE, null, new OptionalThresholdValidator(), Importance.MEDIUM, CRITICAL_THRESHOLD_DOC)
            .define(EPISODE_COOLDOWN_MS_CONFIG, Type.LONG, 0L, ConfigValidators.wholeRange(Range.atLeast(0)), Importance.MEDIUM, EPISODE_COOLDOWN_MS_DOC)
            .define(EPISODE_MIN_DURATION_MS_CONFIG, Type.LONG, 0L, ConfigValidators.wholeRange(Range.atLeast(0)), Importance.MEDIUM, EPISODE_MIN_DURATION_MS_DOC)
            .define(EPISODE_UPDATE_INTERVAL_MS_CONFIG, Type.LONG, 60_000L, ConfigValidators.wholeRange(Range.atLeast(0)), Importance.LOW, EPISODE_UPDATE_INTERVAL_MS_DOC)
            .define(EPISODE_IDLE_CLOSE_MS_CONFIG, Type.LONG, 0L, ConfigValidators.wholeRange(Range.atLeast(0)), Importance.MEDIUM, EPISODE_IDLE_CLOSE_MS_DOC)
            .define(ALERT_SCORE_CONFIG, Type.STRING, AlertScoring.Basis.RECONSTRUCTION.configName(), validEnum(AlertScoring.Basis.values()), Importance.MEDIUM, ALERT_SCORE_DOC)
            .define(LIKELIHOOD_HISTORY_CONFIG, Type.INT, AlertScoring.RECONSTRUCTION.likelihood().history(), ConfigValidators.wholeRange(Range.between(2, 100_000_000)), Importance.LOW, LIKELIHOOD_HISTORY_DOC)
            .define(LIKELIHOOD_MIN_HISTORY_CONFIG, Type.INT, AlertScoring.RECONSTRUCTION.likelihood().minHistory(), ConfigValidators.wholeRange(Range.between(1, 100_000_000)), Importance.LOW, LIKELIHOOD_MIN_HISTORY_DOC)
            .define(LIKELIHOOD_SHORT_TERM_CONFIG, Type.INT, AlertScoring.RECONSTRUCTION.likelihood().shortTerm(), ConfigValidators.wholeRange(Range.between(1, AnomalyLikelihood.Settings.MAX_SHORT_TERM)), Importance.LOW, LIKELIHOOD_SHORT_TERM_DOC)
            .define(LIKELIHOOD_DAILY_SLOTS_CONFIG, Type.INT, AlertScoring.RECONSTRUCTION.likelihoodDailySlots(), ConfigValidators.wholeRange(Range.between(0, DaySlots.MAX)), Importance.LOW, LIKELIHOOD_DAILY_SLOTS_DOC)
            .define(LIKELIHOOD_CLIP_STD_CONFIG, Type.DOUBLE, AlertScoring.RECONSTRUCTION.likelihood().clipStd(), zeroOrBetween(1, 100), Importance.LOW, LIKELIHOOD_CLIP_STD_DOC)
            .define(LIKELIHOOD_WARNING_CONFIG, Type.DOUBLE, AlertScoring.RECONSTRUCTION.likelihoodWarning(), ConfigValidators.wholeRange(Range.between(1e-6, 0.999999)), Importance.MEDIUM, LIKELIHOOD_WARNING_DOC)
            .define(LIKELIHOOD_CRITICAL_CONFIG, Type.DOUBLE, AlertScoring.RECONSTRUCTION.likelihoodCritical(), ConfigValidators.wholeRange(Range.between(1e-6, 0.999999)), Importance.MEDIUM, LIKELIHOOD_CRITICAL_DOC)
            .define(RANGE_TOLERANCE_CONFIG, Type.DOUBLE, AlertScoring.RECONSTRUCTION.range().tolerance(), ConfigValidators.wholeRange(Range.between(0, 100)), Importance.LOW, RANGE_TOLERANCE_DOC)
            .define(RANGE_MIN_HISTORY_CONFIG, Type.INT, AlertScoring.RECONSTRUCTION.range().minHistory(), ConfigValidators.wholeRange(Range.between(1, 100_000_000)), Importance.LOW, RANGE_MIN_HISTORY_DOC)
            .define(RANGE_DAILY_SLOTS_CONFIG, Type.INT, AlertScoring.RECONSTRUCTION.range().dailySlots(), ConfigValidators.wholeRange(Range.between(0, ValueRange.Settings.MAX_DAILY_SLOTS)), Importance.LOW, RANGE_DAILY_SLOTS_DOC)
            .define(RANGE_DAILY_TOLERANCE_CONFIG, Type.DOUBLE, AlertScoring.RECONSTRUCTION.range().dailyTolerance(), ConfigValidators.wholeRange(Range.between(0, 100)), Importance.LOW, RANGE_DAILY_TOLERANCE_DOC)
            .define(RANGE_LEVEL_RECORDS_CONFIG, Type.INT, AlertScoring.RECONSTRUCTION.range().levelRecords(), ConfigValidators.wholeRange(Range.between(0, ValueRange.Settings.MAX_LEVEL_RECORDS)), Importance.LOW, RANGE_LEVEL_RECORDS_DOC)
            .define(RANGE_LEVEL_TOLERANCE_CONFIG, Type.DOUBLE, AlertScoring.RECONSTRUCTION.range().levelTolerance(), ConfigValidators.wholeRange(Range.between(0, 100)), Importance.LOW, RANGE_LEVEL_TOLERANCE_DOC)
            .define(MAX_RECORD_BYTES_CONFIG, Type.INT, 1024 * 1024, ConfigValidators.wholeRange(Range.atLeast(1)), Importance.MEDIUM, MAX_RECORD_BYTES_DOC)
            .define(WINDOW_GRACE_MS_CONFIG, Type.LONG, 0L, ConfigValidators.wholeRange(Range.atLeast(0)), Importance.MEDIUM, WINDOW_GRACE_MS_DOC)
            .define(WINDOW_MAX_GAP_MS_CONFIG, Type.LONG, null, new OptionalRangeValidator(1, Long.MAX_VALUE), Importance.MEDIUM, WINDOW_MAX_GAP_MS_DOC)
            .define(WINDOW_GAP_POLICY_CONFIG, Type.STRING, GapPolicy.RESET.configName(), ValidString.in(
                    Arrays.stream(GapPolicy.values()).map(GapPolicy::configName).toArray(String[]::new)), Importance.MEDIUM, WINDOW_GAP_POLICY_DOC)
            .define(PROCESSING_GUARANTEE_CONFIG, Type.STRING, ProcessingGuarantee.EXACTLY_ONCE_V2.configName(), validGuarantee(), Importance.MEDIUM, PROCESSING_GUARANTEE_DOC)
            .define(STATE_DIR_CONFIG, Type.STRING, DEFAULT_STATE_DIR, new ConfigDef.NonEmptyString(), Importance.MEDIUM, STATE_DIR_DOC)
            .define(COMMIT_INTERVAL_MS_CONFIG, Type.LONG, 100L, ConfigValidators.wholeRange(Range.atLeast(0)), Importance.LOW, COMMIT_INTERVAL_MS_DOC)
            .define(REPLICATION_FACTOR_CONFIG, Type.INT, 1, ConfigValidators.wholeRange(Range.between(1, Short.MAX_VALUE)), Importance.LOW, REPLICATION_FACTOR_DOC)
            .define(MODELS_TOPIC_CONFIG, Type.STRING, "models", new TopicNameValidator(), Importance.MEDIUM, MODELS_TOPIC_DOC)
            .define(MODELS_FOLLOW_CONFIG, Type.BOOLEAN, true, new BooleanValidator(), Importance.MEDIUM, MODELS_FOLLOW_DOC);

    private final StreamsSettings settings;

    /** Parses and validates; throws {@link ConfigException} naming the key at fault. */
    public LatentwatchStreamsConfig(Map<?, ?> originals) {
        super(CONFIG, originals, true);
        this.settings = buildSettings();
        warnUnknownKeys();
    }

    /** Reads a {@code .properties} file (UTF-8). */
    public static LatentwatchStreamsConfig fromFile(Path file) {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read config file " + file, e);
        }
        return new LatentwatchStreamsConfig(props);
    }

    /** Builds a config from keys and values (values as strings or of the key's type). */
    public static LatentwatchStreamsConfig fromMap(Map<String, ?> values) {
        return new LatentwatchStreamsConfig(values);
    }

    /** The definition of every key (without the {@code kafka.} pass-through). */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG);
    }

    /** The typed settings. */
    public StreamsSettings toSettings() {
        return settings;
    }

    /** Kafka Streams properties; see {@link StreamsSettings#toStreamsProperties()}. */
    public Properties toStreamsProperties() {
        return settings.toStreamsProperties();
    }

    private StreamsSettings buildSettings() {
        String input = getString(INPUT_TOPIC_CONFIG);
        requireDistinctTopics();
        OptionalDouble warning = optionalDouble(WARNING_THRESHOLD_CONFIG);
        OptionalDouble critical = optionalDouble(CRITICAL_THRESHOLD_CONFIG);
        if (warning.isPresent() && critical.isPresent() && warning.getAsDouble() > critical.getAsDouble()) {
            throw new ConfigException(WARNING_THRESHOLD_CONFIG, warning.getAsDouble(),
                    "must not be above " + CRITICAL_THRESHOLD_CONFIG + " (" + critical.getAsDouble() + ")");
        }
        return new StreamsSettings(
                getString(APPLICATION_ID_CONFIG),
                getString(BOOTSTRAP_SERVERS_CONFIG),
                input,
                InputFormat.fromConfigName(getString(INPUT_FORMAT_CONFIG)),
                getString(LATENTS_TOPIC_CONFIG),
                getString(ALERTS_TOPIC_CONFIG),
                getString(DLQ_TOPIC_CONFIG),
                Path.of(getString(MODEL_BUNDLE_CONFIG)),
                ExecutionProvider.parse(getString(EXECUTION_PROVIDER_CONFIG)),
                getBoolean(EXECUTION_PROVIDER_FALLBACK_CONFIG),
                getInt(INTRA_OP_THREADS_CONFIG),
                getInt(INTER_OP_THREADS_CONFIG),
                GraphOptimizationLevel.parse(getString(GRAPH_OPTIMIZATION_LEVEL_CONFIG)),
                getInt(BATCH_MAX_RECORDS_CONFIG),
                batchMaxWaitMs(),
                getBoolean(BATCH_PIPELINE_CONFIG),
                getInt(TOP_K_CONFIG),
                warning,
                critical,
                new EpisodePolicy(getLong(EPISODE_COOLDOWN_MS_CONFIG), getLong(EPISODE_MIN_DURATION_MS_CONFIG),
                        getLong(EPISODE_UPDATE_INTERVAL_MS_CONFIG), getLong(EPISODE_IDLE_CLOSE_MS_CONFIG)),
                alertScoring(),
                getInt(MAX_RECORD_BYTES_CONFIG),
                windowPolicy(),
                ProcessingGuarantee.fromConfigName(getString(PROCESSING_GUARANTEE_CONFIG)),
                Path.of(getString(STATE_DIR_CONFIG)),
                getLong(COMMIT_INTERVAL_MS_CONFIG),
                getInt(REPLICATION_FACTOR_CONFIG),
                getString(MODELS_TOPIC_CONFIG),
                getBoolean(MODELS_FOLLOW_CONFIG),
                clientProperties());
    }

    private void requireDistinctTopics() {
        Map<String, String> seen = new HashMap<>();
        for (String key : List.of(INPUT_TOPIC_CONFIG, LATENTS_TOPIC_CONFIG, ALERTS_TOPIC_CONFIG, DLQ_TOPIC_CONFIG, MODELS_TOPIC_CONFIG)) {
            String topic = getString(key);
            String other = seen.putIfAbsent(topic, key);
            if (other != null) {
                // Reading and writing one topic would loop records forever; two outputs on one topic mix schemas.
                throw new ConfigException(key, topic, "must differ from " + other);
            }
        }
    }

    private AlertScoring alertScoring() {
        double warning = getDouble(LIKELIHOOD_WARNING_CONFIG);
        double critical = getDouble(LIKELIHOOD_CRITICAL_CONFIG);
        if (warning > critical) {
            throw new ConfigException(LIKELIHOOD_WARNING_CONFIG, warning,
                    "must not be above " + LIKELIHOOD_CRITICAL_CONFIG + " (" + critical + ")");
        }
        AlertScoring.Basis basis = AlertScoring.Basis.valueOf(getString(ALERT_SCORE_CONFIG).toUpperCase(Locale.ROOT));
        return new AlertScoring(basis, new AnomalyLikelihood.Settings(getInt(LIKELIHOOD_HISTORY_CONFIG),
                getInt(LIKELIHOOD_MIN_HISTORY_CONFIG), getInt(LIKELIHOOD_SHORT_TERM_CONFIG),
                getDouble(LIKELIHOOD_CLIP_STD_CONFIG)), getInt(LIKELIHOOD_DAILY_SLOTS_CONFIG), warning, critical,
                new ValueRange.Settings(getDouble(RANGE_TOLERANCE_CONFIG), getInt(RANGE_MIN_HISTORY_CONFIG),
                        getInt(RANGE_DAILY_SLOTS_CONFIG), getDouble(RANGE_DAILY_TOLERANCE_CONFIG),
                        getInt(RANGE_LEVEL_RECORDS_CONFIG), getDouble(RANGE_LEVEL_TOLERANCE_CONFIG)));
    }

    /** Longest adaptive micro-batch wait under at-least-once: a longer wait would only add latency. */
    static final long AT_LEAST_ONCE_MAX_ADAPTIVE_WAIT_MS = 10;

    /** The configured wait, or the adaptive default: half the commit interval, at least 1 ms. */
    private long batchMaxWaitMs() {
        Long configured = getLong(BATCH_MAX_WAIT_MS_CONFIG);
        if (configured != null) {
            return configured;
        }
        long halfCommit = Math.max(1L, getLong(COMMIT_INTERVAL_MS_CONFIG) / 2);
        boolean exactlyOnce = ProcessingGuarantee.fromConfigName(getString(PROCESSING_GUARANTEE_CONFIG))
                == ProcessingGuarantee.EXACTLY_ONCE_V2;
        return exactlyOnce ? halfCommit : Math.min(halfCommit, AT_LEAST_ONCE_MAX_ADAPTIVE_WAIT_MS);
    }

    private WindowPolicy windowPolicy() {
        Long maxGap = getLong(WINDOW_MAX_GAP_MS_CONFIG);
        return new WindowPolicy(getLong(WINDOW_GRACE_MS_CONFIG), maxGap == null ? Long.MAX_VALUE : maxGap,
                GapPolicy.parse(getString(WINDOW_GAP_POLICY_CONFIG)));
    }

    private OptionalDouble optionalDouble(String key) {
        Double v = getDouble(key);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    private Map<String, Object> clientProperties() {
        Map<String, Object> stripped = originalsWithPrefix(CLIENT_PREFIX, true);
        for (Map.Entry<String, Object> e : stripped.entrySet()) {
            if (MANAGED_CLIENT_KEYS.containsKey(e.getKey())) {
                String instead = MANAGED_CLIENT_KEYS.get(e.getKey());
                throw new ConfigException(CLIENT_PREFIX + e.getKey(), "(hidden)", instead == null
                        ? "latentwatch sets this Kafka setting itself; remove it"
                        : "latentwatch sets this Kafka setting itself; use " + instead + " instead");
            }
            if (e.getValue() == null) {
                throw new ConfigException(CLIENT_PREFIX + e.getKey(), null, "a pass-through value must not be null");
            }
        }
        return stripped;
    }

    private void warnUnknownKeys() {
        Set<String> unknown = new TreeSet<>();
        for (Object key : originals().keySet()) {
            String k = String.valueOf(key);
            if (!CONFIG.names().contains(k) && !k.startsWith(CLIENT_PREFIX)) {
                unknown.add(k);
            }
        }
        if (!unknown.isEmpty()) {
            LOG.warn("event=unknown_config_keys keys={} hint=\"Kafka client settings need the {} prefix\"",
                    unknown, CLIENT_PREFIX);
        }
    }

    /** The configuration reference as a Markdown table: key, default, allowed values, description. */
    public static String configReferenceMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append("| Key | Default | Allowed values | Description |\n");
        md.append("|---|---|---|---|\n");
        for (ConfigDef.ConfigKey key : CONFIG.configKeys().values()) {
            String def;
            if (!key.hasDefault()) {
                def = "(required)";
            } else if (key.defaultValue == null) {
                def = "(unset)";
            } else if (key.name.equals(STATE_DIR_CONFIG)) {
                def = "`${java.io.tmpdir}/latentwatch-streams`";
            } else {
                def = "`" + ConfigDef.convertToString(key.defaultValue, key.type) + "`";
            }
            String allowed = key.validator == null ? "" : String.valueOf(key.validator);
            md.append("| `").append(key.name).append("` | ").append(escape(def)).append(" | ")
                    .append(escape(allowed)).append(" | ").append(escape(key.documentation)).append(" |\n");
        }
        md.append("| `").append(CLIENT_PREFIX).append("*` | | any Kafka client or Kafka Streams setting except ")
                .append(escape(MANAGED_CLIENT_KEYS.keySet().stream().sorted().collect(Collectors.joining(", "))))
                .append(" | Passed to the Kafka clients with the prefix removed, for example ")
                .append("`kafka.security.protocol=SASL_SSL`, `kafka.sasl.jaas.config=...`. |\n");
        return md.toString();
    }

    private static String escape(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    private static Map<String, String> managedClientKeys() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID_CONFIG);
        m.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, BOOTSTRAP_SERVERS_CONFIG);
        m.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, PROCESSING_GUARANTEE_CONFIG);
        m.put(StreamsConfig.STATE_DIR_CONFIG, STATE_DIR_CONFIG);
        m.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL_MS_CONFIG);
        m.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, REPLICATION_FACTOR_CONFIG);
        m.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, DLQ_TOPIC_CONFIG);
        m.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, null);
        m.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, null);
        m.put(StreamsSettings.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED, null);
        m.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, null);
        m.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, null);
        return m;
    }

    private static ValidString validEnum(Enum<?>[] values) {
        return ValidString.in(Arrays.stream(values).map(v -> v.name().toLowerCase(Locale.ROOT)).toArray(String[]::new));
    }

    /** 0 (a feature turned off), or a number in [min, max]. */
    private static ConfigDef.Validator zeroOrBetween(double min, double max) {
        return ConfigDef.LambdaValidator.with((name, value) -> {
            double v = ((Number) value).doubleValue();
            if (v != 0 && !(v >= min && v <= max)) {
                throw new ConfigException(name, value, "must be 0, or [" + min + ",...," + max + "]");
            }
        }, () -> "0, or [" + min + ",...," + max + "]");
    }

    private static ValidString validGuarantee() {
        return ValidString.in(Arrays.stream(ProcessingGuarantee.values()).map(ProcessingGuarantee::configName)
                .toArray(String[]::new));
    }

    /** A Kafka topic name (also used for application.id, which prefixes internal topic names). */
    private static final class TopicNameValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (!(value instanceof String s) || !TOPIC_NAME.matcher(s).matches() || s.equals(".") || s.equals("..")) {
                throw new ConfigException(name, value, "must be " + this);
            }
        }

        @Override
        public String toString() {
            return "1 to 249 characters of [a-zA-Z0-9._-], not '.' or '..'";
        }
    }

    /** Unset, or a finite score of at least zero. */
    private static final class OptionalThresholdValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value == null) {
                return;
            }
            double d = (Double) value;
            if (!Double.isFinite(d) || d < 0) {
                throw new ConfigException(name, value, "must be " + this);
            }
        }

        @Override
        public String toString() {
            return "unset, or a finite number >= 0";
        }
    }

    /** Unset, or a whole number in [min, max]. */
    private static final class OptionalRangeValidator implements ConfigDef.Validator {
        private final long min;
        private final long max;

        OptionalRangeValidator(long min, long max) {
            this.min = min;
            this.max = max;
        }

        @Override
        public void ensureValid(String name, Object value) {
            if (value == null) {
                return;
            }
            long v = ((Number) value).longValue();
            if (v < min || v > max) {
                throw new ConfigException(name, value, "must be " + this);
            }
        }

        @Override
        public String toString() {
            return max == Long.MAX_VALUE ? "unset, or [" + min + ",...]" : "unset, or [" + min + ",...," + max + "]";
        }
    }

    /** Type BOOLEAN already rejects anything but true/false; this only documents it. */
    private static final class BooleanValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (!(value instanceof Boolean)) {
                throw new ConfigException(name, value, "must be " + this);
            }
        }

        @Override
        public String toString() {
            return "[true, false]";
        }
    }
}
