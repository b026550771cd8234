package io.latentwatch.it;

import static io.latentwatch.it.Reliability.normal;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentwatch.app.Main;
import io.latentwatch.core.bundle.BundleContract;
import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.registry.ModelRegistry;
import io.latentwatch.core.registry.RegistryDecision;
import io.latentwatch.core.scoring.ScorerOptions;
import io.latentwatch.schemas.Alert;
import io.latentwatch.schemas.AlertEvent;
import io.latentwatch.schemas.LatentCode;
import io.latentwatch.schemas.ModelEvent;
import io.latentwatch.schemas.ModelEventType;
import io.latentwatch.schemas.Severity;
import io.latentwatch.streaming.InputFormat;
import io.latentwatch.streaming.LatentwatchStreamsApp;
import io.latentwatch.streaming.LatentwatchStreamsConfig;
import io.latentwatch.streaming.ModelEvents;
import io.latentwatch.streaming.RecentObservations;
import io.latentwatch.streaming.ScoringMetrics;
import io.latentwatch.streaming.StreamsSettings;
import io.latentwatch.streaming.internals.ModelFollower;
import io.latentwatch.streaming.internals.ModelSlot;
import io.latentwatch.trainer.AutoencoderTrainer;
import io.latentwatch.trainer.TrainingConfig;
import io.latentwatch.trainer.TrainingData;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The model lifecycle on a real broker: a hot swap under load driven by the models topic, corrupted bundles refused
 * while the old model keeps serving, and scheduled retraining producing versions with their comparison figures.
 */
class ModelLifecycleTest extends RealBrokerTest {
    /** Records streamed through the hot swap: 3 phases of 10 000 (kept small for 2 cores). */
    private static final int PHASE = 10_000;
    private static final int PARTITIONS = 3;
    private static final int ENTITIES = 12;
    private static final List<String> FEATURES = List.of("a", "b", "c", "d");

    private static float[][] rows(Random r, int n) {
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = normal(r);
        }
        return out;
    }

    private static ModelBundle train(Path dir, String version, List<String> features, float[][] rows, int epochs, long seed) {
        return AutoencoderTrainer.train(TrainingData.fromRows("synthetic line", features, rows),
                TrainingConfig.defaults().withModelId("lifecycle").withModelVersion(version).withHiddenLayers(List.of(8))
                        .withLatentDim(2).withEpochs(epochs).withLearningRate(5e-3).withPatience(5).withSeed(seed),
                dir.resolve("trained-" + version)).bundle();
    }

    /** Counts refusals; the hook the observability module implements with a Prometheus counter. */
    private static final class Refusals implements ScoringMetrics {
        final Map<String, String> byVersion = new ConcurrentHashMap<>();
        final AtomicInteger swaps = new AtomicInteger();

        @Override
        public void modelRefused(String modelId, String modelVersion, String reason) {
            byVersion.put(modelVersion, reason);
        }

        @Override
        public void modelServing(String modelId, String modelVersion, String executionProvider) {
            swaps.incrementAndGet();
        }
    }

    @Test
    void hotSwapUnderLoadThenCorruptedBundlesAreRefused(@TempDir Path dir) throws Exception {
        Random random = new Random(11);
        ModelRegistry registry = ModelRegistry.open(dir.resolve("registry"));
        registry.register(train(dir, "1", FEATURES, rows(random, 2000), 10, 1), "initial");
        registry.register(train(dir, "2", FEATURES, rows(random, 2000), 10, 2), "retrained");
        registry.promote("lifecycle", "1", "initial", Map.of());
        ModelBundle v1 = registry.bundle("lifecycle", "1");

        String suffix = Long.toString(System.nanoTime());
        String input = "obs-" + suffix;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(input, PARTITIONS, (short) 1))).all().get();
        }
        Map<String, Object> props = new HashMap<>();
        props.put(LatentwatchStreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(LatentwatchStreamsConfig.APPLICATION_ID_CONFIG, "swap-" + suffix);
        props.put(LatentwatchStreamsConfig.INPUT_TOPIC_CONFIG, input);
        props.put(LatentwatchStreamsConfig.LATENTS_TOPIC_CONFIG, "latents-" + suffix);
        props.put(LatentwatchStreamsConfig.ALERTS_TOPIC_CONFIG, "alerts-" + suffix);
        props.put(LatentwatchStreamsConfig.DLQ_TOPIC_CONFIG, "dlq-" + suffix);
        props.put(LatentwatchStreamsConfig.MODELS_TOPIC_CONFIG, "models-" + suffix);
        props.put(LatentwatchStreamsConfig.MODEL_BUNDLE_CONFIG, v1.directory().toString());
        props.put(LatentwatchStreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        StreamsSettings settings = LatentwatchStreamsConfig.fromMap(props).toSettings();
        Properties clients = new Properties();
        clients.put("bootstrap.servers", kafka.bootstrapServers());

        Refusals metrics = new Refusals();
        Map<String, Integer> inputPartition = new HashMap<>(); // entity@timestamp -> input partition
        try (LatentwatchStreamsApp app = new LatentwatchStreamsApp(settings, v1, metrics);
             KafkaProducer<byte[], byte[]> producer = producer()) {
            app.start();
            app.awaitRunning(Duration.ofSeconds(60));

            // Phase 1 is scored by v1 (waited for, so every partition has v1 records); phase 2 streams while v2 is
            // promoted, loaded and verified; phase 3 starts once the instance holds v2, so every partition also has
            // records after its switch.
            send(producer, input, 0, PHASE, random, inputPartition);
            assertThat(readLatents(settings.latentsTopic(), PHASE)).hasSize(PHASE);
            registry.promote("lifecycle", "2", "better", Map.of());
            ModelEvents.publish(clients, settings.modelsTopic(),
                    ModelEvents.of(ModelEventType.PROMOTED, registry.bundle("lifecycle", "2"), Map.of()));
            send(producer, input, PHASE, 2 * PHASE, random, inputPartition);
            awaitCondition(() -> app.servingBundle().manifest().modelVersion().equals("2"), "the instance to load v2");
            send(producer, input, 2 * PHASE, 3 * PHASE, random, inputPartition);

            Map<String, LatentCode> latents = readLatents(settings.latentsTopic(), 3 * PHASE);
            assertThat(latents).as("one latent code per input record").hasSize(3 * PHASE);
            assertThat(latents.keySet()).isEqualTo(inputPartition.keySet());
            // Per input partition, in input order: v1 ... v1 v2 ... v2, one switch.
            for (int p = 0; p < PARTITIONS; p++) {
                TreeMap<Long, String> byTime = new TreeMap<>();
                for (Map.Entry<String, Integer> e : inputPartition.entrySet()) {
                    if (e.getValue() == p) {
                        LatentCode c = latents.get(e.getKey());
                        byTime.put(c.getTimestamp(), c.getModelVersion());
                    }
                }
                List<String> versions = new ArrayList<>(byTime.values());
                int switches = 0;
                for (int i = 1; i < versions.size(); i++) {
                    switches += versions.get(i).equals(versions.get(i - 1)) ? 0 : 1;
                }
                assertThat(versions.get(0)).as("partition %d starts on v1", p).isEqualTo("1");
                assertThat(versions.get(versions.size() - 1)).as("partition %d ends on v2", p).isEqualTo("2");
                assertThat(switches).as("switch points in partition %d", p).isEqualTo(1);
            }

            // A bundle whose model file no longer matches its SHA-256, and one of another input width: both refused.
            ModelBundle v3 = registry.register(train(dir, "3", FEATURES, rows(random, 500), 2, 3), "to corrupt");
            Files.write(v3.directory().resolve(BundleContract.MODEL_FILE), new byte[] {1, 2, 3});
            ModelEvents.publish(clients, settings.modelsTopic(), ModelEvents.of(ModelEventType.PROMOTED, v3, Map.of()));
            float[][] narrow = new float[500][];
            for (int i = 0; i < narrow.length; i++) {
                narrow[i] = new float[] {(float) random.nextGaussian(), (float) random.nextGaussian(), 1f};
            }
            ModelBundle v4 = registry.register(train(dir, "4", List.of("a", "b", "c"), narrow, 2, 4), "narrow");
            ModelEvents.publish(clients, settings.modelsTopic(), ModelEvents.of(ModelEventType.PROMOTED, v4, Map.of()));
            awaitCondition(() -> metrics.byVersion.size() == 2, "both bundles to be refused");
            assertThat(metrics.byVersion).containsEntry("3", "verification").containsEntry("4", "input_shape");
            assertThat(app.servingBundle().manifest().modelVersion()).isEqualTo("2");

            Map<String, Integer> after = new HashMap<>();
            send(producer, input, 3 * PHASE, 3 * PHASE + 2000, random, after);
            Map<String, LatentCode> all = readLatents(settings.latentsTopic(), 3 * PHASE + 2000);
            assertThat(all).hasSize(3 * PHASE + 2000);
            assertThat(after.keySet()).allSatisfy(k -> assertThat(all.get(k).getModelVersion()).isEqualTo("2"));
        }
    }

    @Test
    void followerStartedBeforeItsTopicExistsStillSwaps(@TempDir Path dir) throws Exception {
        Random random = new Random(3);
        ModelBundle v1 = train(dir, "1", FEATURES, rows(random, 500), 2, 1);
        ModelBundle v2 = train(dir, "2", FEATURES, rows(random, 500), 2, 2);
        String models = "late-models-" + System.nanoTime();
        Properties clients = new Properties();
        clients.put("bootstrap.servers", kafka.bootstrapServers());
        ModelSlot slot = new ModelSlot(v1, v1.manifest().thresholds());
        try (ModelFollower follower = new ModelFollower(clients, models, v1.manifest(), ScorerOptions.defaults(),
                t -> t, new Refusals(), slot)) {
            follower.start();
            Thread.sleep(1500); // the follower asks for the topic's partitions before anyone created it
            ModelEvents.ensureTopic(clients, models, 1);
            ModelEvents.publish(clients, models, ModelEvents.of(ModelEventType.PROMOTED, v2, Map.of()));
            awaitCondition(() -> slot.current().bundle().manifest().modelVersion().equals("2"),
                    "the follower to load v2 from a topic created after it started");
        }
    }

    @Test
    void scheduledRetrainRunsTwiceAndRecordsItsFigures(@TempDir Path dir) throws Exception {
        Random random = new Random(5);
        ModelRegistry registry = ModelRegistry.open(dir.resolve("registry"));
        registry.register(train(dir, "1", FEATURES, rows(random, 1500), 5, 1), "initial");
        registry.promote("lifecycle", "1", "initial", Map.of());

        String suffix = Long.toString(System.nanoTime());
        String input = "recent-" + suffix;
        String alerts = "recent-alerts-" + suffix;
        String models = "models-" + suffix;
        long t0 = System.currentTimeMillis() - 60_000;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(input, 1, (short) 1), new NewTopic(alerts, 1, (short) 1))).all().get();
        }
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (int i = 0; i < 1500; i++) {
                float[] v = normal(random);
                long ts = t0 + i;
                String json = String.format(Locale.ROOT, "{\"entity\":\"e%d\",\"timestamp\":%d,\"values\":[%s,%s,%s,%s]}",
                        i % 3, ts, v[0], v[1], v[2], v[3]);
                producer.send(new ProducerRecord<>(input, null, ts, ("e" + i % 3).getBytes(StandardCharsets.UTF_8),
                        json.getBytes(StandardCharsets.UTF_8)));
            }
            // An alert episode of e0 over its records 300..599 (event time t0+300 .. t0+597): left out of training.
            Alert close = Alert.newBuilder().setEntity("e0").setTimestamp(t0 + 600).setScore(1.0).setWarningThreshold(0.5)
                    .setCriticalThreshold(0.9).setSeverity(Severity.CRITICAL).setModelId("lifecycle").setModelVersion("1")
                    .setTopFeatures(List.of()).setEvent(AlertEvent.CLOSE).setEpisodeId("e0@" + (t0 + 300))
                    .setEpisodeStart(t0 + 300).setPeakScore(1.0).setDurationMs(297L).build();
            ByteBuffer b = close.toByteBuffer();
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            producer.send(new ProducerRecord<>(alerts, null, t0 + 600, "e0".getBytes(StandardCharsets.UTF_8), bytes));
            producer.flush();
        }
        Properties clients = new Properties();
        clients.put("bootstrap.servers", kafka.bootstrapServers());
        RecentObservations.Collected collected = RecentObservations.read(clients, input, InputFormat.JSON, alerts, FEATURES,
                t0 - 1, System.currentTimeMillis() + 1);
        assertThat(collected.read()).isEqualTo(1500);
        assertThat(collected.inEpisodes()).as("e0 records in [t0+300, t0+597]").isEqualTo(100);
        assertThat(collected.rows().length).isEqualTo(1400);

        int code = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute("retrain",
                "--registry", registry.root().toString(), "--model", "lifecycle", "--input-topic", input,
                "--alerts-topic", alerts, "--bootstrap-servers", kafka.bootstrapServers(), "--models-topic", models,
                "--lookback", "10m", "--every", "1s", "--runs", "2", "--alert-rate-tolerance", "0.01",
                "--work-dir", dir.resolve("work").toString());
        assertThat(code).isZero();
        assertThat(registry.versions("lifecycle")).containsExactly("1", "2", "3");
        List<RegistryDecision> decided = registry.decisions("lifecycle").stream()
                .filter(d -> !d.version().equals("1") && d.action() != RegistryDecision.Action.REGISTERED).toList();
        assertThat(decided).extracting(RegistryDecision::version).containsExactly("2", "3");
        for (RegistryDecision d : decided) {
            assertThat(d.action()).isIn(RegistryDecision.Action.PROMOTED, RegistryDecision.Action.REJECTED);
            assertThat(d.figures()).containsKeys("holdoutRows", "championAlertRate", "challengerAlertRate", "scoreShift",
                    "champion", "trainingRows");
            assertThat(d.figures().get("trainingRows")).isEqualTo("1120"); // 1400 kept, the newest 20 % held back
        }
        // The challengers were trained with the champion's settings.
        assertThat(registry.bundle("lifecycle", "2").manifest().provenance().settings())
                .isEqualTo(registry.bundle("lifecycle", "1").manifest().provenance().settings());

        List<ModelEvent> events = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = committedReader()) {
            consumer.subscribe(List.of(models));
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            long trained = 0;
            while (trained < 2 && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    events.add(ModelEvents.decode(r.value()));
                }
                trained = events.stream().filter(e -> e.getType() == ModelEventType.TRAINED).count();
            }
        }
        assertThat(events).filteredOn(e -> e.getType() == ModelEventType.TRAINED).extracting(e -> e.getModelVersion().toString())
                .containsExactly("2", "3");
        assertThat(events).allSatisfy(e -> assertThat(e.getDetails()).containsKey("scoreShift"));
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, int from, int to, Random random,
                             Map<String, Integer> partitionOf) {
        for (int i = from; i < to; i++) {
            int e = i % ENTITIES;
            String entity = "sensor-" + e;
            long ts = 1_700_000_000_000L + i * 1000L;
            float[] v = normal(random);
            String json = String.format(Locale.ROOT, "{\"entity\":\"%s\",\"timestamp\":%d,\"values\":[%s,%s,%s,%s]}",
                    entity, ts, v[0], v[1], v[2], v[3]);
            int partition = e % PARTITIONS;
            producer.send(new ProducerRecord<>(topic, partition, entity.getBytes(StandardCharsets.UTF_8),
                    json.getBytes(StandardCharsets.UTF_8)));
            partitionOf.put(entity + "@" + ts, partition);
        }
        producer.flush();
    }

    /** Reads latent codes until {@code expected} are in, then 2 s more so a duplicate would show; fails on one. */
    private static Map<String, LatentCode> readLatents(String topic, int expected) {
        Map<String, LatentCode> out = new HashMap<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        long quietUntil = Long.MAX_VALUE;
        try (KafkaConsumer<byte[], byte[]> consumer = committedReader()) {
            consumer.subscribe(List.of(topic));
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    LatentCode c = LatentCode.fromByteBuffer(ByteBuffer.wrap(r.value()));
                    LatentCode before = out.put(c.getEntity() + "@" + c.getTimestamp(), c);
                    assertThat(before).as("a second latent code for %s@%d", c.getEntity(), c.getTimestamp()).isNull();
                }
                if (out.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    /** Waits (bounded) for something the service does in the background; the assertions follow it. */
    private static void awaitCondition(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
