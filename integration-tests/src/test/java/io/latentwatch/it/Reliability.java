package io.latentwatch.it;

import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.schemas.LatentCode;
import io.latentwatch.streaming.DeadLetterHeaders;
import io.latentwatch.streaming.LatentwatchSerdes;
import io.latentwatch.trainer.AutoencoderTrainer;
import io.latentwatch.trainer.TrainingConfig;
import io.latentwatch.trainer.TrainingData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What the reliability tests share: a tiny model, an input stream in which every record has its own key (so outputs
 * can be counted per input), and a {@link Tally} of the outputs read with {@code read_committed}.
 */
final class Reliability {
    static final List<String> FEATURES = List.of("a", "b", "c", "d");
    /** Every this-many-th record is malformed JSON: it must come out as a dead letter. */
    static final int MALFORMED_EVERY = 997;
    /** Every this-many-th record breaks the features' relation: it should raise an alert. */
    static final int ANOMALY_EVERY = 500;

    private Reliability() {}

    /** Four features on a line (x, 2x + 10, x + noise, -x); hidden [8], latent 2, a few epochs: seconds to train. */
    static ModelBundle trainTinyModel(Path dir) {
        Random random = new Random(3);
        float[][] rows = new float[1000][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = normal(random);
        }
        return AutoencoderTrainer.train(TrainingData.fromRows("synthetic line", FEATURES, rows),
                TrainingConfig.defaults().withModelId("it-reliability").withHiddenLayers(List.of(8)).withLatentDim(2)
                        .withEpochs(8).withLearningRate(5e-3).withPatience(8).withSeed(3),
                dir).bundle();
    }

    static float[] normal(Random r) {
        float x = (float) r.nextGaussian();
        return new float[] {x, 2 * x + 10, x + 0.05f * (float) r.nextGaussian(), -x};
    }

    /** The key of input record {@code i}; it is also its entity (the payload names none). */
    static String key(int i) {
        return "r-" + i;
    }

    /** Input record {@code i}: malformed, anomalous or normal, always the same for the same {@code i}. */
    static byte[] value(int i) {
        if (i % MALFORMED_EVERY == MALFORMED_EVERY - 1) {
            return ("{\"values\":[1,2,").getBytes(StandardCharsets.UTF_8);
        }
        float[] v = i % ANOMALY_EVERY == ANOMALY_EVERY / 2 ? new float[] {3f, 0f, -3f, 3f} : normal(new Random(i));
        return String.format(Locale.ROOT, "{\"timestamp\":%d,\"values\":[%s,%s,%s,%s]}", 1_700_000_000_000L + i,
                v[0], v[1], v[2], v[3]).getBytes(StandardCharsets.UTF_8);
    }

    static boolean malformed(int i) {
        return i % MALFORMED_EVERY == MALFORMED_EVERY - 1;
    }

    /**
     * Sends records {@code from} (inclusive) to {@code to} (exclusive), flushes, and sends again the ones the broker
     * did not acknowledge (a just-created topic can refuse the first batches): the tests count outputs against inputs,
     * so an input lost on its way in would read as a loss in the service.
     *
     * @throws IllegalStateException when some records still fail after a few rounds
     */
    static void send(KafkaProducer<byte[], byte[]> producer, String topic, int from, int to) {
        List<Integer> pending = new ArrayList<>();
        for (int i = from; i < to; i++) {
            pending.add(i);
        }
        Exception lastError = null;
        for (int round = 0; round < 5 && !pending.isEmpty(); round++) {
            Map<Integer, Exception> failed = new ConcurrentHashMap<>();
            for (int i : pending) {
                producer.send(new ProducerRecord<>(topic, key(i).getBytes(StandardCharsets.UTF_8), value(i)),
                        (metadata, error) -> {
                            if (error != null) {
                                failed.put(i, error);
                            }
                        });
            }
            producer.flush();
            if (!failed.isEmpty()) {
                lastError = failed.values().iterator().next();
                System.out.printf("producer: %d of %d records not acknowledged (%s), sending them again%n",
                        failed.size(), pending.size(), lastError);
            }
            pending = failed.keySet().stream().sorted().toList();
        }
        if (!pending.isEmpty()) {
            throw new IllegalStateException(pending.size() + " input records could not be produced", lastError);
        }
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 65536);
        // A batch for a just-created topic has been seen to hang unsent until the default 120 s delivery timeout:
        // fail it sooner, and send() sends it again.
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /** Waits (bounded) for a condition; the caller asserts on what it finds afterwards. */
    static boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    /**
     * Reads latent codes, alerts and dead letters with {@code read_committed} and counts them per input key. Not
     * thread-safe: poll it from the test thread.
     */
    static final class Tally implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final String input;
        private final String latents;
        private final String alerts;
        private final String deadLetters;
        private final double warningThreshold;
        /** Latent codes plus dead letters per input key: exactly one each is the promise. */
        final Map<String, Integer> results = new HashMap<>();
        /** Input records per key: one each, unless the test's producer wrote a record twice (a resend after a timeout). */
        final Map<String, Integer> inputs = new HashMap<>();
        /** Where each key's results lie (topic-partition@offset): names the copies when a key has more than one. */
        private final Map<String, List<String>> resultPositions = new HashMap<>();
        /** Every record read, by position: a record read twice (the reader's group rebalanced) is counted once. */
        private final Set<String> seen = new HashSet<>();
        final Map<String, Integer> alertCount = new HashMap<>();
        /** Keys whose latent code scored above the warning threshold: each (its own one-record episode) needs one alert. */
        final Map<String, Integer> overThreshold = new HashMap<>();
        final Map<String, String> deadLetterReason = new HashMap<>();
        final List<String> deadLetterErrors = new ArrayList<>();
        long latentCodes;
        long deadLetterCount;
        /** Records the reader got again and did not count twice. */
        long rereads;

        Tally(String bootstrap, String input, String latents, String alerts, String deadLetters, double warningThreshold) {
            Properties c = new Properties();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            c.put(ConsumerConfig.GROUP_ID_CONFIG, "reliability-reader-" + System.nanoTime());
            c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            // Positions live here, not in the group: after a rebalance (a broker restart can cause one) the reader
            // starts over from the earliest offsets and the position set drops what it has already counted.
            c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
            c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            this.consumer = new KafkaConsumer<>(c);
            this.input = input;
            this.latents = latents;
            this.alerts = alerts;
            this.deadLetters = deadLetters;
            this.warningThreshold = warningThreshold;
            // Subscribing to topics the service has not created yet is fine: metadata refreshes pick them up.
            consumer.subscribe(List.of(input, latents, alerts, deadLetters));
        }

        /** Polls once. */
        void poll() {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                String position = r.topic() + "-" + r.partition() + "@" + r.offset();
                if (!seen.add(position)) {
                    rereads++;
                    continue;
                }
                String key = r.key() == null ? "(null)" : new String(r.key(), StandardCharsets.UTF_8);
                if (r.topic().equals(input)) {
                    inputs.merge(key, 1, Integer::sum);
                } else if (r.topic().equals(latents)) {
                    LatentCode code = LatentwatchSerdes.decodeLatentCode(r.value());
                    results.merge(code.getEntity(), 1, Integer::sum);
                    resultPositions.computeIfAbsent(code.getEntity(), k -> new ArrayList<>(1)).add(position);
                    if (code.getScore() > warningThreshold) { // strictly above: an anomalous record
                        overThreshold.merge(code.getEntity(), 1, Integer::sum);
                    }
                    latentCodes++;
                } else if (r.topic().equals(alerts)) {
                    alertCount.merge(LatentwatchSerdes.decodeAlert(r.value()).getEntity(), 1, Integer::sum);
                } else if (r.topic().equals(deadLetters)) {
                    results.merge(key, 1, Integer::sum);
                    resultPositions.computeIfAbsent(key, k -> new ArrayList<>(1)).add(position);
                    deadLetterReason.put(key, header(r, DeadLetterHeaders.REASON));
                    deadLetterErrors.add(header(r, DeadLetterHeaders.ERROR));
                    deadLetterCount++;
                }
            }
        }

        /** Polls until every one of {@code keys} has a result (or the timeout), then on for {@code quiet}. */
        boolean awaitAll(Set<String> keys, Duration timeout, Duration quiet) {
            long deadline = System.nanoTime() + timeout.toNanos();
            // The input too: results are checked against the input records read here.
            while (!(results.keySet().containsAll(keys) && inputs.keySet().containsAll(keys))
                    && System.nanoTime() < deadline) {
                poll();
            }
            boolean complete = results.keySet().containsAll(keys);
            // Read on a while: a duplicate committed late would show up here.
            long quietUntil = System.nanoTime() + quiet.toNanos();
            while (System.nanoTime() < quietUntil) {
                poll();
            }
            return complete;
        }

        /**
         * Keys whose number of results is not their number of input records, each with both counts and where its
         * results lie (at most {@code limit} keys): empty is exactly-once.
         */
        Map<String, String> notExactlyOnce(int limit) {
            Map<String, String> wrong = new TreeMap<>();
            Set<String> keys = new HashSet<>(inputs.keySet());
            keys.addAll(results.keySet());
            for (String key : keys) {
                int in = inputs.getOrDefault(key, 0);
                int out = results.getOrDefault(key, 0);
                if (in != out && wrong.size() < limit) {
                    wrong.put(key, "inputs=" + in + " results=" + out + " at " + resultPositions.getOrDefault(key, List.of()));
                }
            }
            return wrong;
        }

        long inputCount() {
            return inputs.values().stream().mapToLong(Integer::longValue).sum();
        }

        long resultCount() {
            return latentCodes + deadLetterCount;
        }

        /** Input keys with more than one result, and how many extra results they have in all. */
        long duplicates() {
            return results.values().stream().mapToLong(c -> Math.max(0, c - 1)).sum();
        }

        @Override
        public void close() {
            consumer.close();
        }

        private static String header(ConsumerRecord<?, ?> r, String name) {
            Header h = r.headers().lastHeader(name);
            return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
        }
    }

    /** The last lines of a child's log, for failure messages. */
    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }
}
