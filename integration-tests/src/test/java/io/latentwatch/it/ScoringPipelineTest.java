package io.latentwatch.it;

import static io.latentwatch.it.Reliability.normal;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.schemas.Alert;
import io.latentwatch.schemas.AlertEvent;
import io.latentwatch.schemas.LatentCode;
import io.latentwatch.streaming.LatentwatchSerdes;
import io.latentwatch.streaming.LatentwatchStreamsApp;
import io.latentwatch.streaming.LatentwatchStreamsConfig;
import io.latentwatch.streaming.StreamsSettings;
import io.latentwatch.trainer.AutoencoderTrainer;
import io.latentwatch.trainer.TrainingConfig;
import io.latentwatch.trainer.TrainingData;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path on a real broker: 10 000 JSON records with injected anomalies in, exactly 10 000 latent
 * codes out (nothing lost, nothing doubled, under exactly-once), and an alert for every injected anomaly.
 */
class ScoringPipelineTest extends RealBrokerTest {
    private static final int RECORDS = 10_000;
    private static final int ENTITIES = 10;

    @Test
    void everyRecordYieldsExactlyOneLatentCodeAndAnomaliesAreAlerted(@TempDir Path dir) throws Exception {
        Random random = new Random(7);
        float[][] training = new float[3000][];
        for (int i = 0; i < training.length; i++) {
            training[i] = normal(random);
        }
        ModelBundle bundle = AutoencoderTrainer.train(
                TrainingData.fromRows("synthetic line", List.of("a", "b", "c", "d"), training),
                TrainingConfig.defaults().withModelId("it-line").withHiddenLayers(List.of(16)).withLatentDim(2)
                        .withEpochs(40).withLearningRate(5e-3).withPatience(10),
                dir.resolve("bundle")).bundle();

        String suffix = Long.toString(System.nanoTime());
        Map<String, Object> props = new HashMap<>();
        props.put(LatentwatchStreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(LatentwatchStreamsConfig.APPLICATION_ID_CONFIG, "it-" + suffix);
        props.put(LatentwatchStreamsConfig.INPUT_TOPIC_CONFIG, "obs-" + suffix);
        props.put(LatentwatchStreamsConfig.LATENTS_TOPIC_CONFIG, "latents-" + suffix);
        props.put(LatentwatchStreamsConfig.ALERTS_TOPIC_CONFIG, "alerts-" + suffix);
        props.put(LatentwatchStreamsConfig.DLQ_TOPIC_CONFIG, "dlq-" + suffix);
        props.put(LatentwatchStreamsConfig.MODEL_BUNDLE_CONFIG, bundle.directory().toString());
        props.put(LatentwatchStreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        StreamsSettings settings = LatentwatchStreamsConfig.fromMap(props).toSettings();

        Set<String> sent = new HashSet<>();
        Set<String> anomalies = new HashSet<>();
        try (LatentwatchStreamsApp app = new LatentwatchStreamsApp(settings, bundle)) {
            app.start();
            app.awaitRunning(Duration.ofSeconds(60));
            try (KafkaProducer<byte[], byte[]> producer = producer()) {
                for (int i = 0; i < RECORDS; i++) {
                    String entity = "sensor-" + (i % ENTITIES);
                    long ts = 1_700_000_000_000L + i * 1000L;
                    float[] v = normal(random);
                    if (i % 500 == 250) { // 20 anomalies: the relation between the features breaks
                        v = new float[] {3f, 0f, -3f, 3f};
                        anomalies.add(entity + "@" + ts);
                    }
                    String json = String.format(Locale.ROOT, "{\"entity\":\"%s\",\"timestamp\":%d,\"values\":[%s,%s,%s,%s]}",
                            entity, ts, v[0], v[1], v[2], v[3]);
                    producer.send(new ProducerRecord<>(settings.inputTopic(), entity.getBytes(StandardCharsets.UTF_8),
                            json.getBytes(StandardCharsets.UTF_8)));
                    sent.add(entity + "@" + ts);
                }
                producer.flush();
            }

            Map<String, Integer> latentCount = new HashMap<>();
            List<Alert> alertEvents = new ArrayList<>();
            long total = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            long quietUntil = Long.MAX_VALUE;
            try (KafkaConsumer<byte[], byte[]> consumer = committedReader()) {
                consumer.subscribe(List.of(settings.latentsTopic(), settings.alertsTopic()));
                // Read until every record is in, then on for 3 s more: a duplicate would show up there.
                while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        if (r.topic().equals(settings.latentsTopic())) {
                            LatentCode code = LatentCode.fromByteBuffer(ByteBuffer.wrap(r.value()));
                            assertThat(code.getModelId()).isEqualTo("it-line");
                            assertThat(code.getLatent()).hasSize(2);
                            latentCount.merge(code.getEntity() + "@" + code.getTimestamp(), 1, Integer::sum);
                            total++;
                        } else {
                            alertEvents.add(LatentwatchSerdes.decodeAlert(r.value()));
                        }
                    }
                    if (total >= RECORDS && quietUntil == Long.MAX_VALUE) {
                        quietUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                    }
                }
            }
            assertThat(total).as("latent codes").isEqualTo(RECORDS);
            assertThat(latentCount.keySet()).isEqualTo(sent);
            assertThat(latentCount.values()).allMatch(c -> c == 1);
            // Every anomaly lies in an alerted episode: from its start to its last anomalous record so far.
            Set<String> covered = new HashSet<>();
            for (String anomaly : anomalies) {
                String entity = anomaly.substring(0, anomaly.indexOf('@'));
                long ts = Long.parseLong(anomaly.substring(anomaly.indexOf('@') + 1));
                if (alertEvents.stream().anyMatch(a -> a.getEntity().equals(entity) && a.getEpisodeStart() <= ts
                        && ts <= a.getEpisodeStart() + a.getDurationMs())) {
                    covered.add(anomaly);
                }
            }
            assertThat(covered).as("anomalies inside an alerted episode").isEqualTo(anomalies);
            // Thresholds sit at the 99th percentile of normal scores: false episodes stay rare.
            long opened = alertEvents.stream().filter(a -> a.getEvent() == AlertEvent.OPEN).count();
            assertThat(opened - anomalies.size()).isLessThan(RECORDS / 50);
        }
    }
}
