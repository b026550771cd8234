package io.latentwatch.it;

import static io.latentwatch.it.Reliability.normal;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentwatch.broker.Topics;
import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.schemas.LatentCode;
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
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances with one application id split a 4-partition input; one stops mid-stream and the other takes over
 * its tasks, restoring their state (micro-batch pending records included) from the changelogs. Every input record
 * yields exactly one latent code, read with read_committed.
 */
class ScaleOutTest extends RealBrokerTest {
    private static final int RECORDS = 6_000;
    private static final int ENTITIES = 40;
    private static final int PARTITIONS = 4;

    @Test
    void whenOneInstanceStopsTheOtherTakesOverAndEveryRecordYieldsExactlyOneLatentCode(@TempDir Path dir)
            throws Exception {
        Random random = new Random(3);
        float[][] training = new float[1000][];
        for (int i = 0; i < training.length; i++) {
            training[i] = normal(random);
        }
        ModelBundle bundle = AutoencoderTrainer.train(
                TrainingData.fromRows("synthetic line", List.of("a", "b", "c", "d"), training),
                TrainingConfig.defaults().withModelId("it-scale").withHiddenLayers(List.of(8)).withLatentDim(2)
                        .withEpochs(5).withPatience(5),
                dir.resolve("bundle")).bundle();

        String suffix = Long.toString(System.nanoTime());
        String input = "scale-obs-" + suffix;
        Topics.create(kafka.bootstrapServers(), Map.of(), List.of(Topics.topic(input, PARTITIONS)));
        StreamsSettings first = settings(suffix, input, bundle, dir.resolve("state-a"));
        StreamsSettings second = settings(suffix, input, bundle, dir.resolve("state-b"));

        Set<String> sent = new HashSet<>();
        Map<String, Integer> latentCount = new HashMap<>();
        try (LatentwatchStreamsApp a = new LatentwatchStreamsApp(first, bundle);
             LatentwatchStreamsApp b = new LatentwatchStreamsApp(second, bundle);
             KafkaProducer<byte[], byte[]> producer = producer()) {
            a.start();
            b.start();
            assertThat(a.awaitRunning(Duration.ofSeconds(60))).isTrue();
            assertThat(b.awaitRunning(Duration.ofSeconds(60))).isTrue();

            send(producer, input, 0, RECORDS / 2, random, sent);
            Thread.sleep(300); // mid-stream: some of the first half scored, some pending or not yet polled
            assertThat(a.close(Duration.ofSeconds(30))).as("first instance closed cleanly").isTrue();
            assertThat(a.state()).isEqualTo(KafkaStreams.State.NOT_RUNNING);
            send(producer, input, RECORDS / 2, RECORDS, random, sent);

            long total = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            long quietUntil = Long.MAX_VALUE;
            try (KafkaConsumer<byte[], byte[]> consumer = committedReader()) {
                consumer.subscribe(List.of(first.latentsTopic()));
                // Read until every record is in, then on for 3 s more: a duplicate would show up there.
                while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        LatentCode code = LatentCode.fromByteBuffer(ByteBuffer.wrap(r.value()));
                        latentCount.merge(code.getEntity() + "@" + code.getTimestamp(), 1, Integer::sum);
                        total++;
                    }
                    if (total >= RECORDS && quietUntil == Long.MAX_VALUE) {
                        quietUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                    }
                }
            }
            assertThat(b.state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(total).as("latent codes").isEqualTo(RECORDS);
            assertThat(latentCount.keySet()).isEqualTo(sent);
            assertThat(latentCount.values()).allMatch(c -> c == 1);
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, int from, int to, Random random,
                             Set<String> sent) {
        for (int i = from; i < to; i++) {
            String entity = "sensor-" + (i % ENTITIES);
            long ts = 1_700_000_000_000L + i * 1000L;
            float[] v = normal(random);
            String json = String.format(Locale.ROOT, "{\"entity\":\"%s\",\"timestamp\":%d,\"values\":[%s,%s,%s,%s]}",
                    entity, ts, v[0], v[1], v[2], v[3]);
            producer.send(new ProducerRecord<>(topic, entity.getBytes(StandardCharsets.UTF_8),
                    json.getBytes(StandardCharsets.UTF_8)));
            sent.add(entity + "@" + ts);
        }
        producer.flush();
    }

    private static StreamsSettings settings(String suffix, String input, ModelBundle bundle, Path stateDir) {
        Map<String, Object> props = new HashMap<>();
        props.put(LatentwatchStreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(LatentwatchStreamsConfig.APPLICATION_ID_CONFIG, "scale-" + suffix);
        props.put(LatentwatchStreamsConfig.INPUT_TOPIC_CONFIG, input);
        props.put(LatentwatchStreamsConfig.LATENTS_TOPIC_CONFIG, "scale-latents-" + suffix);
        props.put(LatentwatchStreamsConfig.ALERTS_TOPIC_CONFIG, "scale-alerts-" + suffix);
        props.put(LatentwatchStreamsConfig.DLQ_TOPIC_CONFIG, "scale-dlq-" + suffix);
        props.put(LatentwatchStreamsConfig.MODEL_BUNDLE_CONFIG, bundle.directory().toString());
        props.put(LatentwatchStreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // Long waits keep records pending in the store when the first instance stops: the takeover must emit them.
        props.put(LatentwatchStreamsConfig.BATCH_MAX_RECORDS_CONFIG, 1000);
        props.put(LatentwatchStreamsConfig.BATCH_MAX_WAIT_MS_CONFIG, 500);
        return LatentwatchStreamsConfig.fromMap(props).toSettings();
    }
}
