package io.latentwatch.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentwatch.core.scoring.ExecutionProvider;
import io.latentwatch.core.scoring.GraphOptimizationLevel;
import io.latentwatch.streaming.internals.DeadLetterProcessingExceptionHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LatentwatchStreamsConfigTest {

    private static Map<String, Object> minimal() {
        Map<String, Object> m = new HashMap<>();
        m.put("model.bundle", "/models/demo");
        return m;
    }

    private static LatentwatchStreamsConfig with(String key, Object value) {
        Map<String, Object> m = minimal();
        m.put(key, value);
        return LatentwatchStreamsConfig.fromMap(m);
    }

    @Test
    void defaultsAreDocumented() {
        StreamsSettings s = LatentwatchStreamsConfig.fromMap(minimal()).toSettings();
        assertThat(s.applicationId()).isEqualTo("latentwatch");
        assertThat(s.bootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(s.inputTopic()).isEqualTo("observations");
        assertThat(s.inputFormat()).isEqualTo(InputFormat.JSON);
        assertThat(s.latentsTopic()).isEqualTo("latents");
        assertThat(s.alertsTopic()).isEqualTo("alerts");
        assertThat(s.dlqTopic()).isEqualTo("observations-dlq");
        assertThat(s.modelBundle()).isEqualTo(Path.of("/models/demo"));
        assertThat(s.executionProvider()).isEqualTo(ExecutionProvider.CPU);
        assertThat(s.executionProviderFallback()).isFalse();
        assertThat(s.intraOpThreads()).isEqualTo(1);
        assertThat(s.topK()).isEqualTo(3);
        assertThat(s.warningThreshold()).isEmpty();
        assertThat(s.criticalThreshold()).isEmpty();
        assertThat(s.maxRecordBytes()).isEqualTo(1024 * 1024);
        assertThat(s.processingGuarantee()).isEqualTo(ProcessingGuarantee.EXACTLY_ONCE_V2);
        assertThat(s.commitIntervalMs()).isEqualTo(100);
        assertThat(s.replicationFactor()).isEqualTo(1);
        assertThat(s.clientProperties()).isEmpty();
    }

    @Test
    void parsesEveryKeyFromStrings() {
        Map<String, Object> m = minimal();
        m.put("input.format", "avro");
        m.put("scoring.execution-provider", "auto");
        m.put("scoring.execution-provider.fallback", "true");
        m.put("scoring.intra-op-threads", "2");
        m.put("alerts.top-k", "5");
        m.put("alerts.warning-threshold", "0.5");
        m.put("alerts.critical-threshold", "2");
        m.put("input.max-record-bytes", "4096");
        m.put("processing.guarantee", "at_least_once");
        m.put("commit.interval.ms", "1000");
        m.put("topics.replication-factor", "3");
        StreamsSettings s = LatentwatchStreamsConfig.fromMap(m).toSettings();
        assertThat(s.inputFormat()).isEqualTo(InputFormat.AVRO);
        assertThat(s.executionProvider()).isEqualTo(ExecutionProvider.AUTO);
        assertThat(s.executionProviderFallback()).isTrue();
        assertThat(s.scorerOptions().intraOpThreads()).isEqualTo(2);
        assertThat(s.topK()).isEqualTo(5);
        assertThat(s.warningThreshold()).hasValue(0.5);
        assertThat(s.criticalThreshold()).hasValue(2.0);
        assertThat(s.maxRecordBytes()).isEqualTo(4096);
        assertThat(s.processingGuarantee()).isEqualTo(ProcessingGuarantee.AT_LEAST_ONCE);
        assertThat(s.replicationFactor()).isEqualTo(3);
    }

    @Test
    void wrongEnumValuesNameTheKeyAndTheAllowedValues() {
        assertThatThrownBy(() -> with("input.format", "xml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("input.format").hasMessageContaining("xml")
                .hasMessageContaining("json").hasMessageContaining("avro");
        assertThatThrownBy(() -> with("scoring.execution-provider", "tpu"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("scoring.execution-provider")
                .hasMessageContaining("auto").hasMessageContaining("cpu").hasMessageContaining("cuda").hasMessageContaining("coreml");
        assertThatThrownBy(() -> with("processing.guarantee", "exactly_once"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("processing.guarantee")
                .hasMessageContaining("exactly_once_v2").hasMessageContaining("at_least_once");
    }

    @Test
    void outOfRangeNumbersNameTheKeyAndTheRange() {
        assertThatThrownBy(() -> with("alerts.top-k", 0))
                .isInstanceOf(ConfigException.class).hasMessageContaining("alerts.top-k").hasMessageContaining("[1,...,100]");
        assertThatThrownBy(() -> with("alerts.top-k", 101))
                .isInstanceOf(ConfigException.class).hasMessageContaining("alerts.top-k");
        assertThatThrownBy(() -> with("scoring.intra-op-threads", 0))
                .isInstanceOf(ConfigException.class).hasMessageContaining("scoring.intra-op-threads");
        assertThatThrownBy(() -> with("input.max-record-bytes", "lots"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("input.max-record-bytes");
        assertThatThrownBy(() -> with("alerts.warning-threshold", "-1"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("alerts.warning-threshold")
                .hasMessageContaining(">= 0");
        assertThatThrownBy(() -> with("scoring.execution-provider.fallback", "maybe"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("scoring.execution-provider.fallback");
    }

    @Test
    void modelBundleIsRequiredAndNonEmpty() {
        assertThatThrownBy(() -> LatentwatchStreamsConfig.fromMap(Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("model.bundle");
        assertThatThrownBy(() -> with("model.bundle", ""))
                .isInstanceOf(ConfigException.class).hasMessageContaining("model.bundle");
    }

    @Test
    void topicsMustBeValidAndDistinct() {
        assertThatThrownBy(() -> with("input.topic", "bad topic!"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("input.topic").hasMessageContaining("[a-zA-Z0-9._-]");
        assertThatThrownBy(() -> with("alerts.topic", "latents"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("alerts.topic").hasMessageContaining("latents.topic");
        assertThatThrownBy(() -> with("dlq.topic", "observations"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("dlq.topic").hasMessageContaining("input.topic");
    }

    @Test
    void warningThresholdMustNotExceedCritical() {
        Map<String, Object> m = minimal();
        m.put("alerts.warning-threshold", 3.0);
        m.put("alerts.critical-threshold", 2.0);
        assertThatThrownBy(() -> LatentwatchStreamsConfig.fromMap(m))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("alerts.warning-threshold").hasMessageContaining("alerts.critical-threshold");
    }

    @Test
    void kafkaPrefixedKeysPassThroughStripped() {
        Map<String, Object> m = minimal();
        m.put("kafka.security.protocol", "SASL_SSL");
        m.put("kafka.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"s3cret\";");
        m.put("kafka.num.stream.threads", "2");
        LatentwatchStreamsConfig config = LatentwatchStreamsConfig.fromMap(m);
        Properties props = config.toStreamsProperties();
        assertThat(props).containsEntry("security.protocol", "SASL_SSL").containsEntry("num.stream.threads", "2")
                .containsKey("sasl.jaas.config").doesNotContainKey("kafka.security.protocol");
        Properties admin = config.toSettings().adminProperties();
        assertThat(admin).containsEntry("security.protocol", "SASL_SSL").containsKey("sasl.jaas.config")
                .doesNotContainKey("num.stream.threads").containsEntry("bootstrap.servers", "127.0.0.1:9092");
        assertThat(config.toSettings().toString()).contains("sasl.jaas.config").doesNotContain("s3cret");
    }

    @Test
    void kafkaPrefixCannotOverrideManagedSettings() {
        assertThatThrownBy(() -> with("kafka.bootstrap.servers", "elsewhere:9092"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("kafka.bootstrap.servers").hasMessageContaining("use bootstrap.servers")
                .hasMessageNotContaining("elsewhere");
        assertThatThrownBy(() -> with("kafka.processing.exception.handler", "x.Y"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("kafka.processing.exception.handler");
    }

    @Test
    void streamsPropertiesNeverStopOnBadRecords() {
        Map<String, Object> m = minimal();
        m.put("application.id", "lw-test");
        m.put("state.dir", "/tmp/lw-state");
        m.put("topics.replication-factor", 3);
        Properties props = LatentwatchStreamsConfig.fromMap(m).toStreamsProperties();
        assertThat(props)
                .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "lw-test")
                .containsEntry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092")
                .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, "exactly_once_v2")
                .containsEntry(StreamsConfig.STATE_DIR_CONFIG, "/tmp/lw-state")
                .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100L)
                .containsEntry(StreamsConfig.REPLICATION_FACTOR_CONFIG, 3)
                .containsEntry("processing.exception.handler.global.enabled", true)
                .containsEntry(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingExceptionHandler.class.getName())
                .containsEntry(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class.getName())
                .containsEntry(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "observations-dlq");
        // Kafka Streams itself accepts them.
        StreamsConfig streamsConfig = new StreamsConfig(props);
        assertThat(streamsConfig.processingExceptionHandler()).isInstanceOf(DeadLetterProcessingExceptionHandler.class);
    }

    @Test
    void readsAPropertiesFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("streams.properties");
        Files.writeString(file, """
                # latentwatch
                model.bundle=/models/m1
                input.format=avro
                alerts.top-k=7
                kafka.security.protocol=SSL
                """, StandardCharsets.UTF_8);
        StreamsSettings s = LatentwatchStreamsConfig.fromFile(file).toSettings();
        assertThat(s.modelBundle()).isEqualTo(Path.of("/models/m1"));
        assertThat(s.inputFormat()).isEqualTo(InputFormat.AVRO);
        assertThat(s.topK()).isEqualTo(7);
        assertThat(s.clientProperties()).containsEntry("security.protocol", "SSL");
    }

    @Test
    void markdownReferenceListsEveryKey() {
        String md = LatentwatchStreamsConfig.configReferenceMarkdown();
        for (String key : LatentwatchStreamsConfig.configDef().names()) {
            assertThat(md).contains("| `" + key + "` |");
        }
        assertThat(md).contains("`kafka.*`")
                .contains("| `input.format` | `json` | [json, avro] |")
                .contains("| `model.bundle` | (required) |")
                .contains("| `alerts.top-k` | `3` | [1,...,100] |");
        assertThat(LatentwatchStreamsConfig.configDef().names()).hasSize(47);
    }

    @Test
    void microBatchAndSessionOptionsHaveDefaultsAndAreValidated() {
        StreamsSettings d = LatentwatchStreamsConfig.fromMap(minimal()).toSettings();
        assertThat(d.batchMaxRecords()).isEqualTo(256);
        assertThat(d.batchMaxWaitMs()).as("adaptive: half of commit.interval.ms").isEqualTo(50);
        assertThat(d.scorerOptions().interOpThreads()).isEqualTo(1);
        assertThat(d.scorerOptions().optimizationLevel()).isEqualTo(GraphOptimizationLevel.ALL);
        assertThat(with("commit.interval.ms", "1").toSettings().batchMaxWaitMs()).isEqualTo(1);
        assertThat(with("commit.interval.ms", "30000").toSettings().batchMaxWaitMs()).isEqualTo(15_000);
        Map<String, Object> alos = minimal();
        alos.put("processing.guarantee", "at_least_once");
        assertThat(LatentwatchStreamsConfig.fromMap(alos).toSettings().batchMaxWaitMs())
                .as("at-least-once: outputs are visible once sent, so the adaptive wait is capped").isEqualTo(10);

        Map<String, Object> m = minimal();
        m.put("scoring.batch.max-records", "64");
        m.put("scoring.batch.max-wait-ms", "5");
        m.put("scoring.inter-op-threads", "2");
        m.put("scoring.graph-optimization-level", "basic");
        StreamsSettings s = LatentwatchStreamsConfig.fromMap(m).toSettings();
        assertThat(s.batchMaxRecords()).isEqualTo(64);
        assertThat(s.batchMaxWaitMs()).isEqualTo(5);
        assertThat(s.scorerOptions().interOpThreads()).isEqualTo(2);
        assertThat(s.scorerOptions().optimizationLevel()).isEqualTo(GraphOptimizationLevel.BASIC);

        assertThatThrownBy(() -> with("scoring.batch.max-records", 0))
                .isInstanceOf(ConfigException.class).hasMessageContaining("scoring.batch.max-records")
                .hasMessageContaining("[1,...,65536]");
        assertThatThrownBy(() -> with("scoring.batch.max-wait-ms", 0))
                .isInstanceOf(ConfigException.class).hasMessageContaining("scoring.batch.max-wait-ms")
                .hasMessageContaining("unset, or [1,...,60000]");
        assertThatThrownBy(() -> with("scoring.graph-optimization-level", "max"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("scoring.graph-optimization-level")
                .hasMessageContaining("disabled").hasMessageContaining("extended");
        assertThatThrownBy(() -> with("scoring.inter-op-threads", 0))
                .isInstanceOf(ConfigException.class).hasMessageContaining("scoring.inter-op-threads");
    }

    @Test
    void episodeAndWindowKeysHaveDefaultsAndParseFromStrings() {
        StreamsSettings d = LatentwatchStreamsConfig.fromMap(minimal()).toSettings();
        assertThat(d.episodePolicy()).isEqualTo(new EpisodePolicy(0, 0, 60_000));
        assertThat(d.windowPolicy()).isEqualTo(new io.latentwatch.core.features.WindowPolicy(0, Long.MAX_VALUE,
                io.latentwatch.core.features.GapPolicy.RESET));
        Map<String, Object> m = minimal();
        m.put("alerts.episode.cooldown-ms", "300000");
        m.put("alerts.episode.min-duration-ms", "60000");
        m.put("alerts.episode.update-interval-ms", "0");
        m.put("windows.grace-ms", "5000");
        m.put("windows.max-gap-ms", "900000");
        m.put("windows.gap-policy", "impute-last");
        StreamsSettings s = LatentwatchStreamsConfig.fromMap(m).toSettings();
        assertThat(s.episodePolicy()).isEqualTo(new EpisodePolicy(300_000, 60_000, 0));
        assertThat(s.windowPolicy()).isEqualTo(new io.latentwatch.core.features.WindowPolicy(5_000, 900_000,
                io.latentwatch.core.features.GapPolicy.IMPUTE_LAST));
    }

    @Test
    void badEpisodeAndWindowValuesNameTheKeyAndTheAllowedValues() {
        assertThatThrownBy(() -> with("alerts.episode.cooldown-ms", -1))
                .isInstanceOf(ConfigException.class).hasMessageContaining("alerts.episode.cooldown-ms").hasMessageContaining("[0,...]");
        assertThatThrownBy(() -> with("alerts.episode.min-duration-ms", "soon"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("alerts.episode.min-duration-ms");
        assertThatThrownBy(() -> with("alerts.episode.update-interval-ms", -5))
                .isInstanceOf(ConfigException.class).hasMessageContaining("alerts.episode.update-interval-ms");
        assertThatThrownBy(() -> with("windows.grace-ms", -1))
                .isInstanceOf(ConfigException.class).hasMessageContaining("windows.grace-ms");
        assertThatThrownBy(() -> with("windows.max-gap-ms", 0))
                .isInstanceOf(ConfigException.class).hasMessageContaining("windows.max-gap-ms").hasMessageContaining("unset, or [1,...]");
        assertThatThrownBy(() -> with("windows.gap-policy", "interpolate"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("windows.gap-policy")
                .hasMessageContaining("reset").hasMessageContaining("impute-last");
    }

    @Test
    void modelsTopicAndFollowingHaveDefaultsAndValidation() {
        StreamsSettings s = LatentwatchStreamsConfig.fromMap(minimal()).toSettings();
        assertThat(s.modelsTopic()).isEqualTo("models");
        assertThat(s.modelsFollow()).isTrue();
        StreamsSettings off = with("models.follow", "false").toSettings();
        assertThat(off.modelsFollow()).isFalse();
        assertThat(with("models.topic", "model-events").toSettings().modelsTopic()).isEqualTo("model-events");
        assertThatThrownBy(() -> with("models.topic", "bad topic"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("models.topic").hasMessageContaining("[a-zA-Z0-9._-]");
        assertThatThrownBy(() -> with("models.follow", "sometimes"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("models.follow");
        assertThatThrownBy(() -> with("models.topic", "observations"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("models.topic").hasMessageContaining("must differ from input.topic");
        assertThat(LatentwatchStreamsConfig.configReferenceMarkdown()).contains("| `models.topic` | `models` |")
                .contains("| `models.follow` | `true` | [true, false] |");
    }
}
