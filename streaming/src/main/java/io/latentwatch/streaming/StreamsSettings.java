package io.latentwatch.streaming;

import io.latentwatch.core.features.WindowPolicy;
import io.latentwatch.core.scoring.ExecutionProvider;
import io.latentwatch.core.scoring.GraphOptimizationLevel;
import io.latentwatch.core.scoring.ScorerOptions;
import io.latentwatch.streaming.internals.DeadLetterProcessingExceptionHandler;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;

/**
 * Validated, typed settings of the streaming application, made by {@link LatentwatchStreamsConfig#toSettings()}.
 * The rest of the code reads settings only from here.
 *
 * @param applicationId Kafka Streams application id (consumer group, prefix of internal topics)
 * @param bootstrapServers Kafka bootstrap servers
 * @param inputTopic topic of observations
 * @param inputFormat encoding of the input records
 * @param latentsTopic topic of latent codes, one per scored record
 * @param alertsTopic topic of alerts
 * @param dlqTopic dead-letter topic for records that cannot be scored
 * @param modelBundle directory of the model bundle
 * @param executionProvider where ONNX Runtime runs the graph
 * @param executionProviderFallback fall back to CPU when the requested provider is missing
 * @param intraOpThreads ONNX Runtime threads inside one operator, per stream task
 * @param interOpThreads ONNX Runtime threads across operators, per stream task
 * @param graphOptimizationLevel how much ONNX Runtime rewrites the graph when a session opens
 * @param batchMaxRecords records scored together at most (1: no micro-batching, no pending-record store)
 * @param batchMaxWaitMs longest a record waits in a micro-batch before the batch is scored anyway
 * @param batchPipeline whether full micro-batches are decoded, scored and encoded on the shared scoring threads
 * @param topK feature contributions per alert
 * @param warningThreshold overrides the bundle's warning threshold when present
 * @param criticalThreshold overrides the bundle's critical threshold when present
 * @param episodePolicy how anomalous records of one entity group into alert episodes
 * @param alertScoring which score alerts are raised on: the reconstruction score or its per-entity likelihood
 * @param maxRecordBytes key plus value bytes above which a record is dead-lettered as TOO_LARGE
 * @param windowPolicy how per-entity windows place records by event time: grace period, gap limit and policy
 * @param processingGuarantee Kafka Streams processing guarantee
 * @param stateDir directory of local state (RocksDB windows)
 * @param commitIntervalMs Kafka Streams commit interval
 * @param replicationFactor replication factor of topics this application creates (internal and missing ones)
 * @param modelsTopic compacted topic of model events
 * @param modelsFollow whether to follow {@code modelsTopic} and hot-swap to promoted versions
 * @param clientProperties pass-through Kafka client settings, {@code kafka.} prefix removed
 */
public record StreamsSettings(
        String applicationId,
        String bootstrapServers,
        String inputTopic,
        InputFormat inputFormat,
        String latentsTopic,
        String alertsTopic,
        String dlqTopic,
        Path modelBundle,
        ExecutionProvider executionProvider,
        boolean executionProviderFallback,
        int intraOpThreads,
        int interOpThreads,
        GraphOptimizationLevel graphOptimizationLevel,
        int batchMaxRecords,
        long batchMaxWaitMs,
        boolean batchPipeline,
        int topK,
        OptionalDouble warningThreshold,
        OptionalDouble criticalThreshold,
        EpisodePolicy episodePolicy,
        AlertScoring alertScoring,
        int maxRecordBytes,
        WindowPolicy windowPolicy,
        ProcessingGuarantee processingGuarantee,
        Path stateDir,
        long commitIntervalMs,
        int replicationFactor,
        String modelsTopic,
        boolean modelsFollow,
        Map<String, Object> clientProperties) {

    /**
     * {@code StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG}, deprecated only because 5.0 will
     * make its {@code true} the default; until then it must be set.
     */
    static final String PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED = "processing.exception.handler.global.enabled";

    public StreamsSettings {
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(inputTopic, "inputTopic");
        Objects.requireNonNull(inputFormat, "inputFormat");
        Objects.requireNonNull(latentsTopic, "latentsTopic");
        Objects.requireNonNull(alertsTopic, "alertsTopic");
        Objects.requireNonNull(dlqTopic, "dlqTopic");
        Objects.requireNonNull(modelBundle, "modelBundle");
        Objects.requireNonNull(executionProvider, "executionProvider");
        Objects.requireNonNull(graphOptimizationLevel, "graphOptimizationLevel");
        if (batchMaxRecords < 1 || batchMaxWaitMs < 1) {
            throw new IllegalArgumentException("batchMaxRecords and batchMaxWaitMs must be at least 1");
        }
        Objects.requireNonNull(warningThreshold, "warningThreshold");
        Objects.requireNonNull(criticalThreshold, "criticalThreshold");
        Objects.requireNonNull(episodePolicy, "episodePolicy");
        Objects.requireNonNull(alertScoring, "alertScoring");
        Objects.requireNonNull(windowPolicy, "windowPolicy");
        Objects.requireNonNull(processingGuarantee, "processingGuarantee");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(modelsTopic, "modelsTopic");
        clientProperties = Map.copyOf(clientProperties);
    }

    /** How each stream task opens its ONNX Runtime session. */
    public ScorerOptions scorerOptions() {
        return new ScorerOptions(executionProvider, executionProviderFallback, intraOpThreads, interOpThreads,
                graphOptimizationLevel);
    }

    /** The topics this application reads and writes (not its internal changelog topics). */
    public Set<String> topics() {
        return Set.copyOf(List.of(inputTopic, latentsTopic, alertsTopic, dlqTopic));
    }

    /**
     * Kafka Streams properties: the pass-through client settings, then everything this application manages.
     *
     * <p>Bad records never stop the application: the scoring processor dead-letters the records it
     * recognises as bad itself, {@link DeadLetterProcessingExceptionHandler} catches anything else a record
     * makes it throw, and deserialisation (byte arrays, which cannot fail) is guarded by Kafka's log-and-continue
     * handler, which also writes to the dead-letter topic.
     */
    public Properties toStreamsProperties() {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee.configName());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, replicationFactor);
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingExceptionHandler.class.getName());
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class.getName());
        props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, dlqTopic);
        // Without this the processing handler is skipped for global stores/KTables; off by default until 5.0.
        props.put(PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED, true);
        return props;
    }

    /** Admin client properties for creating topics: bootstrap servers plus the pass-through settings an admin client knows. */
    public Properties adminProperties() {
        Properties props = new Properties();
        Set<String> known = AdminClientConfig.configNames();
        clientProperties.forEach((k, v) -> {
            if (known.contains(k)) {
                props.put(k, v);
            }
        });
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return props;
    }

    /** Lists the pass-through keys but never their values: they often hold passwords (JAAS, TLS). */
    @Override
    public String toString() {
        return "StreamsSettings[applicationId=" + applicationId + ", bootstrapServers=" + bootstrapServers
                + ", inputTopic=" + inputTopic + ", inputFormat=" + inputFormat.configName()
                + ", latentsTopic=" + latentsTopic + ", alertsTopic=" + alertsTopic + ", dlqTopic=" + dlqTopic
                + ", modelBundle=" + modelBundle + ", executionProvider=" + executionProvider.configName()
                + ", executionProviderFallback=" + executionProviderFallback + ", intraOpThreads=" + intraOpThreads
                + ", interOpThreads=" + interOpThreads + ", graphOptimizationLevel=" + graphOptimizationLevel.configName()
                + ", batchMaxRecords=" + batchMaxRecords + ", batchMaxWaitMs=" + batchMaxWaitMs + ", batchPipeline=" + batchPipeline
                + ", topK=" + topK + ", warningThreshold=" + warningThreshold + ", criticalThreshold=" + criticalThreshold
                + ", episodePolicy=" + episodePolicy + ", alertScoring=" + alertScoring + ", maxRecordBytes=" + maxRecordBytes
                + ", windowPolicy=" + windowPolicy + ", processingGuarantee=" + processingGuarantee.configName()
                + ", stateDir=" + stateDir + ", commitIntervalMs=" + commitIntervalMs
                + ", replicationFactor=" + replicationFactor + ", modelsTopic=" + modelsTopic
                + ", modelsFollow=" + modelsFollow + ", clientProperties=" + new TreeSet<>(clientProperties.keySet())
                + "]";
    }
}
