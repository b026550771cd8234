package io.latentwatch.app;

import io.latentwatch.broker.EmbeddedKafkaBroker;
import io.latentwatch.broker.KafkaEndpoint;
import io.latentwatch.broker.KafkaEndpoints;
import io.latentwatch.broker.Topics;
import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.bundle.Thresholds;
import io.latentwatch.core.files.ScratchDirectory;
import io.latentwatch.streaming.LatentwatchStreamsApp;
import io.latentwatch.streaming.LatentwatchStreamsConfig;
import io.latentwatch.streaming.ScoringMetrics;
import io.latentwatch.streaming.ScoringTopology;
import io.latentwatch.streaming.StreamsSettings;
import io.latentwatch.trainer.AutoencoderTrainer;
import io.latentwatch.trainer.TrainingConfig;
import io.latentwatch.trainer.TrainingData;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code latentwatch bench}: benchmark programs that print figures. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks that print figures.",
        subcommands = {BenchCommand.Streaming.class, CommandLine.HelpCommand.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code latentwatch bench streaming}. */
    @Command(name = "streaming", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"On one embedded broker: pre-fills an input topic with N JSON records, then measures the "
                    + "records/s of a pass-through topology (decode, re-encode, forward), the scoring topology with "
                    + "batches of 1 and micro-batched, a 784-input model both ways, and end-to-end latency (produce to "
                    + "committed latent code, read_committed) at fixed input rates.",
                    "Last line: scoring_vs_passthrough=<r> batched_vs_single=<r> p99_ms_at_10k=<x>"})
    static final class Streaming implements Callable<Integer> {
        @Option(names = "--records", defaultValue = "1000000", description = "Records per throughput run (default: ${DEFAULT-VALUE}).")
        long records;
        @Option(names = "--features", defaultValue = "32", description = "Features of the tabular model (default: ${DEFAULT-VALUE}).")
        int features;
        @Option(names = "--batch-size", defaultValue = "256", description = "scoring.batch.max-records of the micro-batched runs (default: ${DEFAULT-VALUE}).")
        int batchSize;
        @Option(names = "--partitions", defaultValue = "2", description = "Partitions of the input topics (default: ${DEFAULT-VALUE}).")
        int partitions;
        @Option(names = "--commit-interval-ms", defaultValue = "20", description = "commit.interval.ms of every run (default: ${DEFAULT-VALUE}).")
        long commitIntervalMs;
        @Option(names = "--image-records", defaultValue = "0", description = "Records of the 784-input runs; 0: records/20, at least 10000.")
        long imageRecords;
        @Option(names = "--rates", split = ",", defaultValue = "1000,10000", description = "Input rates of the latency runs, records/s (default: ${DEFAULT-VALUE}).")
        List<Integer> rates;
        @Option(names = "--latency-seconds", defaultValue = "15", description = "Seconds per latency run; the first 3 are warm-up (default: ${DEFAULT-VALUE}).")
        int latencySeconds;
        @Option(names = "--repeats", defaultValue = "3",
                description = "Rounds of the three tabular runs (pass-through, single, batched), interleaved; figures are medians (default: ${DEFAULT-VALUE}).")
        int repeats;
        @Option(names = "--warmup-records", defaultValue = "20000",
                description = "Records each tabular configuration processes once, unmeasured, before the measured runs (default: ${DEFAULT-VALUE}; 0: none).")
        long warmupRecords;
        @Option(names = "--processing-guarantee", defaultValue = "exactly_once_v2", paramLabel = "GUARANTEE",
                description = "processing.guarantee of every run: exactly_once_v2 or at_least_once (default: ${DEFAULT-VALUE}). "
                        + "Under exactly-once outputs become visible at a commit; under at-least-once as soon as sent.")
        String processingGuarantee;
        @Option(names = "--producer-linger-ms", defaultValue = "5",
                description = "linger.ms of the applications' producers (default: ${DEFAULT-VALUE}; Kafka Streams' own default is 100, "
                        + "which under at-least-once adds up to 100 ms to every output).")
        int producerLingerMs;
        @Option(names = "--work-dir", paramLabel = "DIR", description = "Bundles and streams state, kept (default: a new temporary directory, deleted at the end).")
        Path workDir;

        private final PrintStream out = System.out;
        private String bootstrap;
        private Path dir;

        @Override
        public Integer call() throws Exception {
            if (repeats < 1 || records < 1) {
                System.err.println("latentwatch bench streaming: --repeats and --records must be at least 1");
                return 2;
            }
            out.println(String.format(Locale.ROOT, "machine: %s, %d cores, java %s", cpuModel(), java.lang.Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.version")));
            out.println(String.format(Locale.ROOT, "settings: processing.guarantee=%s commit.interval.ms=%d producer.linger.ms=%d batch=%d",
                    processingGuarantee, commitIntervalMs, producerLingerMs, batchSize));
            if (System.getProperty(EmbeddedKafkaBroker.JVM_OPTIONS_PROPERTY) == null) {
                // An embedded broker measured for minutes wants the full JIT, not the tests' quick-start options.
                System.setProperty(EmbeddedKafkaBroker.JVM_OPTIONS_PROPERTY,
                        String.join(" ", EmbeddedKafkaBroker.STEADY_STATE_JVM_OPTIONS));
            }
            out.println("broker_jvm_options: " + System.getProperty(EmbeddedKafkaBroker.JVM_OPTIONS_PROPERTY)
                    + " (embedded broker only)");
            try (ScratchDirectory scratch = ScratchDirectory.keptOrTemporary(workDir, "latentwatch-bench");
                 KafkaEndpoint kafka = KafkaEndpoints.start()) {
                dir = scratch.path();
                bootstrap = kafka.bootstrapServers();
                out.println("broker: " + kafka.kind() + " " + bootstrap);

                ModelBundle tabular = train("bench-" + features, features, List.of(64, 32), 8, 2000);
                String input = "bench-input-" + features;
                prefill(input, features, records);
                if (warmupRecords > 0) {
                    // The JIT compiles the decode, score and produce paths here, not inside the first measured run.
                    long warm = Math.min(warmupRecords, records);
                    throughput("warmup-passthrough", tabular, input, warm, 1, true);
                    throughput("warmup-single", tabular, input, warm, 1, false);
                    throughput("warmup-batched", tabular, input, warm, batchSize, false);
                }
                // Rounds of the three, interleaved, and the median of each: on a shared machine one run can be
                // 10-20 % off, and running each configuration in one block would pin a slow spell on it.
                double[][] rates = new double[3][repeats];
                for (int round = 0; round < repeats; round++) {
                    rates[0][round] = throughput("passthrough", tabular, input, records, 1, true);
                    rates[1][round] = throughput("single", tabular, input, records, 1, false);
                    rates[2][round] = throughput("batched", tabular, input, records, batchSize, false);
                }
                double pass = median(rates[0]);
                double single = median(rates[1]);
                double batched = median(rates[2]);
                out.println(String.format(Locale.ROOT, "medians over %d rounds: passthrough=%.0f single=%.0f batched=%.0f "
                        + "(records/s)", repeats, pass, single, batched));

                long imageN = imageRecords > 0 ? imageRecords : Math.max(10_000, records / 20);
                ModelBundle image = train("bench-784", 784, List.of(256, 64), 16, 500);
                String imageInput = "bench-input-784";
                prefill(imageInput, 784, imageN);
                double imageSingle = throughput("image784-single", image, imageInput, imageN, 1, false);
                double imageBatched = throughput("image784-batched", image, imageInput, imageN, batchSize, false);
                out.println(String.format(Locale.ROOT, "image_784: single_records_per_s=%.0f batched_records_per_s=%.0f batched_vs_single=%.2f",
                        imageSingle, imageBatched, imageBatched / imageSingle));

                Map<Integer, double[]> latency = latency(tabular);
                double p99At10k = latency.containsKey(10_000) ? latency.get(10_000)[1] : Double.NaN;
                out.println(String.format(Locale.ROOT, "tabular_%d: passthrough_records_per_s=%.0f single_records_per_s=%.0f batched_records_per_s=%.0f",
                        features, pass, single, batched));
                out.println(String.format(Locale.ROOT, "scoring_vs_passthrough=%.2f batched_vs_single=%.2f p99_ms_at_10k=%.1f",
                        batched / pass, batched / single, p99At10k));
            }
            return 0;
        }

        private ModelBundle train(String id, int width, List<Integer> hidden, int latent, int rows) {
            Random r = new Random(7);
            float[][] data = new float[rows][];
            for (int i = 0; i < rows; i++) {
                data[i] = row(r, width);
            }
            List<String> names = new ArrayList<>();
            for (int j = 0; j < width; j++) {
                names.add("f" + j);
            }
            TrainingConfig config = TrainingConfig.defaults().withModelId(id).withModelVersion("1")
                    .withHiddenLayers(hidden).withLatentDim(latent).withEpochs(3).withPatience(3).withSeed(7);
            return AutoencoderTrainer.train(TrainingData.fromRows("synthetic", names, data), config, dir.resolve(id)).bundle();
        }

        /** Two latent factors mixed into every feature plus a little noise: something an autoencoder can learn. */
        private static float[] row(Random r, int width) {
            double a = r.nextGaussian();
            double b = r.nextGaussian();
            float[] v = new float[width];
            for (int j = 0; j < width; j++) {
                v[j] = (float) (Math.sin(j + 1) * a + Math.cos(j + 1) * b + 0.05 * r.nextGaussian());
            }
            return v;
        }

        private static byte[][] payloads(int width, int distinct) {
            Random r = new Random(11);
            byte[][] p = new byte[distinct][];
            for (int i = 0; i < distinct; i++) {
                StringBuilder sb = new StringBuilder("{\"entity\":\"e-").append(i % 100).append("\",\"values\":[");
                float[] v = row(r, width);
                for (int j = 0; j < width; j++) {
                    sb.append(j == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", v[j]));
                }
                p[i] = sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
            }
            return p;
        }

        private void prefill(String topic, int width, long n) {
            Topics.create(bootstrap, Map.of(), List.of(Topics.topic(topic, partitions)));
            byte[][] values = payloads(width, 1000);
            long start = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(20))) {
                for (long i = 0; i < n; i++) {
                    byte[] key = ("e-" + (i % 100)).getBytes(StandardCharsets.UTF_8);
                    producer.send(new ProducerRecord<>(topic, key, values[(int) (i % values.length)]));
                }
                producer.flush();
            }
            out.println(String.format(Locale.ROOT, "prefill: topic=%s records=%d features=%d partitions=%d seconds=%.1f", topic, n,
                    width, partitions, (System.nanoTime() - start) / 1e9));
        }

        private StreamsSettings settings(String label, ModelBundle bundle, String input, int batch) {
            String id = "bench-" + label + "-" + System.nanoTime();
            Map<String, Object> c = new HashMap<>();
            c.put(LatentwatchStreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            c.put(LatentwatchStreamsConfig.APPLICATION_ID_CONFIG, id);
            c.put(LatentwatchStreamsConfig.MODEL_BUNDLE_CONFIG, bundle.directory().toString());
            c.put(LatentwatchStreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
            c.put(LatentwatchStreamsConfig.INPUT_TOPIC_CONFIG, input);
            c.put(LatentwatchStreamsConfig.LATENTS_TOPIC_CONFIG, id + "-latents");
            c.put(LatentwatchStreamsConfig.ALERTS_TOPIC_CONFIG, id + "-alerts");
            c.put(LatentwatchStreamsConfig.DLQ_TOPIC_CONFIG, id + "-dlq");
            c.put(LatentwatchStreamsConfig.BATCH_MAX_RECORDS_CONFIG, batch);
            c.put(LatentwatchStreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
            c.put(LatentwatchStreamsConfig.CLIENT_PREFIX + "auto.offset.reset", "earliest");
            c.put(LatentwatchStreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee);
            c.put(LatentwatchStreamsConfig.CLIENT_PREFIX + "producer.linger.ms", producerLingerMs);
            return LatentwatchStreamsConfig.fromMap(c).toSettings();
        }

        /** Records/s from the first record received to the n-th latent code forwarded. */
        private double throughput(String label, ModelBundle bundle, String input, long n, int batch, boolean passThrough)
                throws Exception {
            StreamsSettings s = settings(label, bundle, input, batch);
            Counting metrics = new Counting(n);
            AutoCloseable running;
            if (passThrough) {
                Topics.create(bootstrap, Map.of(), List.of(Topics.topic(s.latentsTopic(), partitions)));
                KafkaStreams streams = new KafkaStreams(ScoringTopology.buildPassThrough(s, bundle, metrics),
                        s.toStreamsProperties());
                streams.start();
                running = () -> streams.close(Duration.ofSeconds(30));
            } else {
                LatentwatchStreamsApp app = new LatentwatchStreamsApp(s, bundle, metrics);
                app.start();
                running = app;
            }
            try (running) {
                if (!metrics.done.await(30, TimeUnit.MINUTES)) {
                    throw new IllegalStateException(label + ": only " + metrics.scored.get() + " of " + n + " records in 30 min");
                }
            }
            double seconds = (metrics.lastNanos - metrics.firstNanos.get()) / 1e9;
            double rate = n / seconds;
            out.println(String.format(Locale.ROOT, "throughput: run=%s records=%d batch=%d seconds=%.2f records_per_s=%.0f mean_batch=%.1f",
                    label, n, batch, seconds, rate, metrics.meanBatch()));
            return rate;
        }

        /** p50/p99/p999 ms of produce-to-committed-latent at each rate, on one micro-batched application. */
        private Map<Integer, double[]> latency(ModelBundle bundle) throws Exception {
            String input = "bench-latency-input";
            Topics.create(bootstrap, Map.of(), List.of(Topics.topic(input, partitions)));
            StreamsSettings s = settings("latency", bundle, input, batchSize);
            Topics.create(bootstrap, Map.of(), List.of(Topics.topic(s.latentsTopic(), partitions)));
            Map<Integer, double[]> result = new HashMap<>();
            try (LatentwatchStreamsApp app = new LatentwatchStreamsApp(s, bundle, ScoringMetrics.NOOP)) {
                app.start();
                if (!app.awaitRunning(Duration.ofSeconds(120))) {
                    throw new IllegalStateException("the latency application did not start");
                }
                List<Long> sendTimes = new ArrayList<>();
                long[] latencies = new long[0];
                AtomicBoolean stop = new AtomicBoolean();
                List<long[]> seen = new ArrayList<>(); // {record timestamp, receive time}
                Thread reader = new Thread(() -> read(s.latentsTopic(), stop, seen), "bench-latency-reader");
                reader.start();
                Thread.sleep(2000); // the reader's partitions assigned
                byte[][] values = payloads(features, 1000);
                try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(0))) {
                    long i = 0;
                    for (int rate : rates) {
                        long phaseStart = System.currentTimeMillis();
                        long t0 = System.nanoTime();
                        long total = (long) rate * latencySeconds;
                        for (long k = 0; k < total; k++, i++) {
                            long due = t0 + k * 1_000_000_000L / rate;
                            long wait;
                            while ((wait = due - System.nanoTime()) > 0) {
                                if (wait > 200_000) {
                                    Thread.sleep(0, 100_000);
                                } else {
                                    Thread.onSpinWait();
                                }
                            }
                            byte[] key = ("e-" + (i % 100)).getBytes(StandardCharsets.UTF_8);
                            producer.send(new ProducerRecord<>(input, null, System.currentTimeMillis(), key,
                                    values[(int) (i % values.length)]));
                        }
                        producer.flush();
                        sendTimes.add(phaseStart);
                        sendTimes.add(System.currentTimeMillis());
                        Thread.sleep(1500); // let the phase drain before the next rate
                    }
                }
                stop.set(true);
                reader.join();
                for (int p = 0; p < rates.size(); p++) {
                    long from = sendTimes.get(2 * p) + 3000; // warm-up excluded
                    long to = sendTimes.get(2 * p + 1);
                    List<Long> l = new ArrayList<>();
                    synchronized (seen) {
                        for (long[] e : seen) {
                            if (e[0] >= from && e[0] <= to) {
                                l.add(e[1] - e[0]);
                            }
                        }
                    }
                    latencies = l.stream().mapToLong(Long::longValue).sorted().toArray();
                    double[] q = {pct(latencies, 0.50), pct(latencies, 0.99), pct(latencies, 0.999)};
                    result.put(rates.get(p), q);
                    out.println(String.format(Locale.ROOT, "latency: rate=%d samples=%d p50_ms=%.1f p99_ms=%.1f p999_ms=%.1f max_ms=%d",
                            rates.get(p), latencies.length, q[0], q[1], q[2],
                            latencies.length == 0 ? -1 : latencies[latencies.length - 1]));
                }
            }
            return result;
        }

        private void read(String topic, AtomicBoolean stop, List<long[]> seen) {
            Properties c = new Properties();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            c.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-latency-reader-" + System.nanoTime());
            c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
            c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
                consumer.subscribe(List.of(topic));
                while (!stop.get()) {
                    var records = consumer.poll(Duration.ofMillis(50));
                    long now = System.currentTimeMillis();
                    synchronized (seen) {
                        for (ConsumerRecord<byte[], byte[]> r : records) {
                            seen.add(new long[] {r.timestamp(), now});
                        }
                    }
                }
            }
        }

        private Properties producerProps(int lingerMs) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.ACKS_CONFIG, "1");
            p.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
            p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            return p;
        }

        private static double median(double[] values) {
            double[] sorted = values.clone();
            java.util.Arrays.sort(sorted);
            return Thresholds.quantile(sorted, 0.5);
        }

        private static double pct(long[] sorted, double q) {
            if (sorted.length == 0) {
                return Double.NaN;
            }
            return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
        }

        private static String cpuModel() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                    if (line.startsWith("model name")) {
                        return line.substring(line.indexOf(':') + 1).trim();
                    }
                }
            } catch (Exception e) {
                // not Linux
            }
            return System.getProperty("os.arch");
        }
    }

    /** Counts forwarded latent codes; notes the first record in and the n-th out. */
    private static final class Counting implements ScoringMetrics {
        final long target;
        final AtomicLong scored = new AtomicLong();
        final AtomicLong firstNanos = new AtomicLong();
        final AtomicLong batches = new AtomicLong();
        final AtomicLong batchedRows = new AtomicLong();
        final CountDownLatch done = new CountDownLatch(1);
        volatile long lastNanos;

        Counting(long target) {
            this.target = target;
        }

        @Override
        public void recordReceived() {
            if (firstNanos.get() == 0) {
                firstNanos.compareAndSet(0, System.nanoTime());
            }
        }

        @Override
        public void batchScored(int rows, long nanos) {
            batches.incrementAndGet();
            batchedRows.addAndGet(rows);
        }

        @Override
        public void recordScored(double score, long endToEndMillis) {
            if (scored.incrementAndGet() == target) {
                lastNanos = System.nanoTime();
                done.countDown();
            }
        }

        double meanBatch() {
            long b = batches.get();
            return b == 0 ? 0 : (double) batchedRows.get() / b;
        }
    }

}
