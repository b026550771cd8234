package io.latentwatch.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.latentwatch.broker.EmbeddedKafkaBroker;
import io.latentwatch.broker.Topics;
import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.features.RejectionReason;
import io.latentwatch.streaming.LatentwatchStreamsApp;
import io.latentwatch.streaming.LatentwatchStreamsConfig;
import io.latentwatch.streaming.StreamsSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults around a running service, on a real broker, exactly-once: the broker restarts mid-stream, a second
 * instance joins and leaves mid-stream, and the model fails inside ONNX Runtime on some batches. In each case every
 * input record (each with its own key) yields exactly one latent code or dead letter, every record scored over the
 * warning threshold exactly one alert, and the service keeps running without a manual step.
 */
class FaultToleranceTest extends TinyModelBrokerTest {

    @Test
    void theServiceRecoversByItselfWhenTheBrokerRestartsMidStream(@TempDir Path dir) throws Exception {
        EmbeddedKafkaBroker broker = kafka.embeddedBroker().orElse(null);
        assumeTrue(broker != null, "needs the embedded broker to restart it; this run uses " + kafka.kind());
        int records = 20_000;
        Setup t = new Setup("restart");
        try (LatentwatchStreamsApp app = new LatentwatchStreamsApp(t.settings(dir.resolve("state"), Map.of()), bundle);
             KafkaProducer<byte[], byte[]> producer = Reliability.producer(kafka.bootstrapServers());
             Reliability.Tally tally = t.tally()) {
            app.start();
            assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
            Reliability.send(producer, t.input, 0, records / 2);
            Reliability.await(() -> {
                tally.poll();
                return tally.resultCount() >= 2_000;
            }, Duration.ofSeconds(60));
            broker.restart(); // a clean stop and start on the same ports and data, while the service runs
            Reliability.send(producer, t.input, records / 2, records);
            assertThat(tally.awaitAll(keys(0, records), Duration.ofSeconds(150), Duration.ofSeconds(3)))
                    .as("every input has a result after the restart (%d seen)", tally.results.size()).isTrue();
            assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertExactlyOnce(tally, records);
        }
    }

    @Test
    void aSecondInstanceJoiningAndLeavingMidStreamLosesAndDoublesNothing(@TempDir Path dir) throws Exception {
        int records = 18_000;
        Setup t = new Setup("rebalance");
        // Long waits keep records pending in the store when tasks move: their next owner must emit them.
        // Any lag counts as caught up, so the joining instance gets active tasks at once, not warm-up replicas
        // promoted by a probing rebalance minutes later.
        Map<String, Object> batching = Map.of(LatentwatchStreamsConfig.BATCH_MAX_RECORDS_CONFIG, 1000,
                LatentwatchStreamsConfig.BATCH_MAX_WAIT_MS_CONFIG, 500,
                "kafka.acceptable.recovery.lag", Long.toString(Long.MAX_VALUE));
        try (LatentwatchStreamsApp first = new LatentwatchStreamsApp(t.settings(dir.resolve("a"), batching), bundle);
             KafkaProducer<byte[], byte[]> producer = Reliability.producer(kafka.bootstrapServers());
             Reliability.Tally tally = t.tally()) {
            first.start();
            assertThat(first.awaitRunning(Duration.ofSeconds(60))).isTrue();
            Reliability.send(producer, t.input, 0, records / 3);
            try (LatentwatchStreamsApp second = new LatentwatchStreamsApp(t.settings(dir.resolve("b"), batching), bundle)) {
                second.start(); // joins while the first third is being scored
                Reliability.send(producer, t.input, records / 3, 2 * records / 3);
                assertThat(second.awaitRunning(Duration.ofSeconds(60))).isTrue();
                Reliability.await(() -> {
                    tally.poll();
                    return tally.resultCount() >= records / 2;
                }, Duration.ofSeconds(60));
                assertThat(Reliability.await(() -> second.kafkaStreams().metadataForLocalThreads().stream()
                        .mapToInt(m -> m.activeTasks().size()).sum() > 0, Duration.ofSeconds(60)))
                        .as("the second instance took tasks").isTrue();
                assertThat(second.close(Duration.ofSeconds(30))).as("second instance left cleanly").isTrue();
            }
            Reliability.send(producer, t.input, 2 * records / 3, records);
            assertThat(tally.awaitAll(keys(0, records), Duration.ofSeconds(120), Duration.ofSeconds(3)))
                    .as("every input has a result (%d seen)", tally.results.size()).isTrue();
            assertThat(first.state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertExactlyOnce(tally, records);
        }
    }

    @Test
    void aBatchTheModelFailsOnIsDeadLetteredWithTheReasonAndScoringGoesOn(@TempDir Path dir) throws Exception {
        // Any batch holding a record whose first value exceeds 1000 makes ONNX Runtime fail.
        ModelBundle poisoned = PoisonedModel.write(bundle, dir.resolve("poisoned"), 1000f);
        int records = 5_000;
        Set<String> poison = new HashSet<>();
        Setup t = new Setup("poison");
        Map<String, Object> batching = Map.of(LatentwatchStreamsConfig.BATCH_MAX_RECORDS_CONFIG, 50);
        try (LatentwatchStreamsApp app = new LatentwatchStreamsApp(t.settings(dir.resolve("state"), batching), poisoned);
             KafkaProducer<byte[], byte[]> producer = Reliability.producer(kafka.bootstrapServers());
             Reliability.Tally tally = t.tally()) {
            app.start();
            assertThat(app.awaitRunning(Duration.ofSeconds(60))).isTrue();
            for (int i = 0; i < records; i++) {
                byte[] value = Reliability.value(i);
                if (i % 1000 == 300) {
                    value = ("{\"values\":[5000,2,1,-1]}").getBytes(StandardCharsets.UTF_8);
                    poison.add(Reliability.key(i));
                }
                producer.send(new ProducerRecord<>(t.input, Reliability.key(i).getBytes(StandardCharsets.UTF_8), value));
            }
            producer.flush();
            assertThat(tally.awaitAll(keys(0, records), Duration.ofSeconds(120), Duration.ofSeconds(3)))
                    .as("every input has a result (%d seen)", tally.results.size()).isTrue();
            assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(tally.notExactlyOnce(20)).as("keys whose results are not one per input record").isEmpty();

            Map<String, String> reasons = tally.deadLetterReason;
            assertThat(poison).allSatisfy(k -> assertThat(reasons.get(k)).isEqualTo(RejectionReason.SCORING_FAILED.name()));
            long failedBatchMates = reasons.entrySet().stream()
                    .filter(e -> e.getValue().equals(RejectionReason.SCORING_FAILED.name()) && !poison.contains(e.getKey()))
                    .count();
            // The whole batch goes, not only the poisoned record: batch-mates are dead-lettered too, at most a
            // batch's worth per poisoned record.
            assertThat(failedBatchMates).isPositive().isLessThanOrEqualTo(poison.size() * 50L);
            assertThat(tally.deadLetterErrors).anySatisfy(e -> assertThat(e)
                    .contains("ONNX Runtime failed").contains("out of data bounds"));
            assertThat(tally.latentCodes).isEqualTo(tally.inputCount() - tally.deadLetterCount);
            // Scoring goes on after the last failure: the last records are scored.
            assertThat(tally.results).containsKey(Reliability.key(records - 1));
            assertThat(reasons).doesNotContainKey(Reliability.key(records - 1));
        }
    }

    private static Set<String> keys(int from, int to) {
        Set<String> keys = new HashSet<>();
        for (int i = from; i < to; i++) {
            keys.add(Reliability.key(i));
        }
        return keys;
    }

    private static void assertExactlyOnce(Reliability.Tally tally, int records) {
        System.out.printf("exactly_once records=%d inputs=%d results=%d reader_rereads=%d%n", records,
                tally.inputCount(), tally.resultCount(), tally.rereads);
        assertThat(tally.notExactlyOnce(20)).as("keys whose results are not one per input record").isEmpty();
        assertThat(tally.resultCount()).isEqualTo(tally.inputCount()).isGreaterThanOrEqualTo(records);
        assertThat(tally.alertCount.values()).as("alerts per key").allMatch(c -> c == 1);
        assertThat(tally.alertCount.keySet()).as("alerted keys").isEqualTo(tally.overThreshold.keySet());
        assertThat(tally.overThreshold).as("the injected anomalies score over the threshold").isNotEmpty();
    }

    /** Topic names and settings of one test's application. */
    private static final class Setup {
        final String suffix;
        final String input;

        Setup(String name) throws Exception {
            this.suffix = name + "-" + System.nanoTime();
            this.input = "ft-obs-" + suffix;
            Topics.create(kafka.bootstrapServers(), Map.of(), List.of(Topics.topic(input, 4)));
        }

        StreamsSettings settings(Path stateDir, Map<String, Object> extra) {
            Map<String, Object> props = new HashMap<>();
            props.put(LatentwatchStreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            props.put(LatentwatchStreamsConfig.APPLICATION_ID_CONFIG, "ft-" + suffix);
            props.put(LatentwatchStreamsConfig.INPUT_TOPIC_CONFIG, input);
            props.put(LatentwatchStreamsConfig.LATENTS_TOPIC_CONFIG, "ft-latents-" + suffix);
            props.put(LatentwatchStreamsConfig.ALERTS_TOPIC_CONFIG, "ft-alerts-" + suffix);
            props.put(LatentwatchStreamsConfig.DLQ_TOPIC_CONFIG, "ft-dlq-" + suffix);
            props.put(LatentwatchStreamsConfig.MODEL_BUNDLE_CONFIG, bundle.directory().toString());
            props.put(LatentwatchStreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            props.putAll(extra);
            return LatentwatchStreamsConfig.fromMap(props).toSettings();
        }

        Reliability.Tally tally() {
            return new Reliability.Tally(kafka.bootstrapServers(), input, "ft-latents-" + suffix, "ft-alerts-" + suffix,
                    "ft-dlq-" + suffix, bundle.manifest().thresholds().warning());
        }
    }
}
