package io.latentwatch.it;

import io.latentwatch.broker.KafkaEndpoint;
import io.latentwatch.broker.KafkaEndpoints;
import io.latentwatch.broker.Topics;
import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.streaming.LatentwatchStreamsApp;
import io.latentwatch.streaming.LatentwatchStreamsConfig;
import io.latentwatch.streaming.StreamsSettings;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Soak benchmark (a program, not a test): measures the service's maximum rate on a pre-filled topic, then streams
 * for some minutes at a fraction (default 80 %) of it and prints, after every minute, the heap in use after a full
 * GC and the end-to-end lag (input record's producer timestamp to its latent code becoming visible to a
 * read_committed reader). Heap flat and lag bounded is what the service promises. {@code backlog} is records sent
 * and not yet scored, the malformed ones (dead-lettered, 1 in {@value Reliability#MALFORMED_EVERY}) left out.
 *
 * <pre>
 * java -Xss4m -Xmx1g -cp TEST_CLASSPATH io.latentwatch.it.SoakBenchmark [minutes=10] [fraction=0.8] [measure-records=100000]
 * </pre>
 *
 * The broker is the one {@link KafkaEndpoints#start()} picks (a child JVM here); the service, the producer and the
 * lag reader share this JVM, so the heap figures include the two clients, which are flat by construction.
 */
public final class SoakBenchmark {
    private SoakBenchmark() {}

    public static void main(String[] args) throws Exception {
        int minutes = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        double fraction = args.length > 1 ? Double.parseDouble(args[1]) : 0.8;
        int measureRecords = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        Path work = Files.createTempDirectory("latentwatch-soak-");
        try (KafkaEndpoint kafka = KafkaEndpoints.start()) {
            ModelBundle bundle = Reliability.trainTinyModel(work.resolve("bundle"));
            double max = measureMaxRate(kafka, bundle, work, measureRecords);
            double rate = fraction * max;
            System.out.printf(Locale.ROOT, "soak max_rate=%.0f records/s target_rate=%.0f records/s minutes=%d%n",
                    max, rate, minutes);
            soak(kafka, bundle, work, rate, minutes);
        }
    }

    /** Records / (first result .. last result) on a pre-filled 4-partition topic, exactly-once, defaults. */
    private static double measureMaxRate(KafkaEndpoint kafka, ModelBundle bundle, Path work, int n) throws Exception {
        String suffix = "max-" + System.nanoTime();
        StreamsSettings settings = settings(kafka, bundle, work, suffix);
        Topics.create(kafka.bootstrapServers(), Map.of(), List.of(Topics.topic(settings.inputTopic(), 4)));
        try (KafkaProducer<byte[], byte[]> producer = Reliability.producer(kafka.bootstrapServers())) {
            Reliability.send(producer, settings.inputTopic(), 0, n);
        }
        try (LatentwatchStreamsApp app = new LatentwatchStreamsApp(settings, bundle);
             KafkaConsumer<byte[], byte[]> reader = reader(kafka, settings)) {
            app.start();
            long expected = 0; // latent codes: the malformed records go to the dead-letter topic
            for (int i = 0; i < n; i++) {
                expected += Reliability.malformed(i) ? 0 : 1;
            }
            long seen = 0;
            long first = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (seen < expected && System.nanoTime() < deadline) {
                int got = reader.poll(Duration.ofMillis(100)).count();
                if (got > 0 && first == 0) {
                    first = System.nanoTime();
                }
                seen += got;
            }
            double seconds = (System.nanoTime() - first) / 1e9;
            System.out.printf(Locale.ROOT, "max_rate records=%d seconds=%.1f records_per_s=%.0f%n", seen, seconds, seen / seconds);
            return seen / seconds;
        }
    }

    private static void soak(KafkaEndpoint kafka, ModelBundle bundle, Path work, double rate, int minutes) throws Exception {
        String suffix = "soak-" + System.nanoTime();
        StreamsSettings settings = settings(kafka, bundle, work, suffix);
        Topics.create(kafka.bootstrapServers(), Map.of(), List.of(Topics.topic(settings.inputTopic(), 4)));
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong sent = new AtomicLong();
        try (LatentwatchStreamsApp app = new LatentwatchStreamsApp(settings, bundle);
             KafkaConsumer<byte[], byte[]> reader = reader(kafka, settings)) {
            app.start();
            app.awaitRunning(Duration.ofSeconds(60));
            Thread producerThread = new Thread(() -> produce(kafka, settings.inputTopic(), rate, running, sent), "soak-producer");
            producerThread.start();
            long start = System.nanoTime();
            long received = 0;
            long[] lags = new long[1 << 16];
            int lagCount = 0;
            long lagSum = 0;
            for (int minute = 1; minute <= minutes; minute++) {
                long minuteEnd = start + Duration.ofMinutes(minute).toNanos();
                long minuteReceived = 0;
                lagCount = 0;
                lagSum = 0;
                long lagMax = 0;
                while (System.nanoTime() < minuteEnd) {
                    for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(100))) {
                        long lag = System.currentTimeMillis() - r.timestamp();
                        lagMax = Math.max(lagMax, lag);
                        lagSum += lag;
                        if (lagCount == lags.length) {
                            lags = Arrays.copyOf(lags, lags.length * 2);
                        }
                        lags[lagCount++] = lag;
                        minuteReceived++;
                    }
                }
                received += minuteReceived;
                long[] sorted = Arrays.copyOf(lags, lagCount);
                Arrays.sort(sorted);
                System.gc();
                long heapMb = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
                System.out.printf(Locale.ROOT, "minute=%d sent=%d scored=%d scored_per_s=%.0f backlog=%d heap_used_after_gc_mb=%d "
                                + "lag_mean_ms=%.0f lag_p50_ms=%d lag_p99_ms=%d lag_max_ms=%d state=%s%n",
                        minute, sent.get(), received, minuteReceived / 60.0,
                        sent.get() - received - (sent.get() + 1) / Reliability.MALFORMED_EVERY, heapMb,
                        lagCount == 0 ? 0.0 : (double) lagSum / lagCount, percentile(sorted, 0.50),
                        percentile(sorted, 0.99), lagMax, app.state());
            }
            running.set(false);
            producerThread.join();
        }
    }

    private static void produce(KafkaEndpoint kafka, String topic, double rate, AtomicBoolean running, AtomicLong sent) {
        try (KafkaProducer<byte[], byte[]> producer = Reliability.producer(kafka.bootstrapServers())) {
            long start = System.nanoTime();
            int i = 0;
            while (running.get()) {
                long due = (long) ((System.nanoTime() - start) / 1e9 * rate);
                while (i < due) {
                    producer.send(new ProducerRecord<>(topic, Reliability.key(i).getBytes(StandardCharsets.UTF_8),
                            Reliability.value(i)));
                    i++;
                }
                sent.set(i);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static long percentile(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
    }

    private static StreamsSettings settings(KafkaEndpoint kafka, ModelBundle bundle, Path work, String suffix) {
        Map<String, Object> props = new HashMap<>();
        props.put(LatentwatchStreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(LatentwatchStreamsConfig.APPLICATION_ID_CONFIG, suffix);
        props.put(LatentwatchStreamsConfig.INPUT_TOPIC_CONFIG, "obs-" + suffix);
        props.put(LatentwatchStreamsConfig.LATENTS_TOPIC_CONFIG, "latents-" + suffix);
        props.put(LatentwatchStreamsConfig.ALERTS_TOPIC_CONFIG, "alerts-" + suffix);
        props.put(LatentwatchStreamsConfig.DLQ_TOPIC_CONFIG, "dlq-" + suffix);
        props.put(LatentwatchStreamsConfig.MODEL_BUNDLE_CONFIG, bundle.directory().toString());
        props.put(LatentwatchStreamsConfig.STATE_DIR_CONFIG, work.resolve("state-" + suffix).toString());
        return LatentwatchStreamsConfig.fromMap(props).toSettings();
    }

    private static KafkaConsumer<byte[], byte[]> reader(KafkaEndpoint kafka, StreamsSettings settings) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "soak-reader-" + System.nanoTime());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c);
        consumer.subscribe(List.of(settings.latentsTopic()));
        return consumer;
    }
}
