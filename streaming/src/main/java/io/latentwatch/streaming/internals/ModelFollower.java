package io.latentwatch.streaming.internals;

import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.bundle.ModelManifest;
import io.latentwatch.core.bundle.Thresholds;
import io.latentwatch.core.scoring.OnnxScorer;
import io.latentwatch.core.scoring.ScoreBatch;
import io.latentwatch.core.scoring.ScorerOptions;
import io.latentwatch.schemas.ModelEvent;
import io.latentwatch.schemas.ModelEventType;
import io.latentwatch.streaming.ModelEvents;
import io.latentwatch.streaming.ScoringMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the compacted models topic on a background thread and hands verified bundles to the stream tasks through
 * a {@link ModelSlot}.
 *
 * <p>Why a plain consumer thread rather than a GlobalKTable: loading a bundle, checking it and warming a session up
 * takes a while and must not hold up a stream thread, and a refused bundle must change nothing, which a global store
 * (updated before anyone could judge the bundle) would not give. The consumer has no group: it reads the whole
 * (compacted, one-partition) topic from the start, so an instance that starts with an older {@code model.bundle}
 * moves to the promoted version at once.
 *
 * <p>A PROMOTED or ROLLED_BACK event for this instance's model id is acted on when it names a version other than the
 * one in the slot: the bundle is loaded (manifest and SHA-256 checked), its SHA-256 compared with the event's, its
 * input (feature names, window length, input width) compared with what the topology was built for, and a session is
 * opened and scores a zero row. Only then does it go into the slot; otherwise it is refused with a log line and
 * {@link ScoringMetrics#modelRefused}, and the model serving before keeps serving.
 */
public final class ModelFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelFollower.class);

    private final Properties consumerProperties;
    private final String topic;
    private final ModelManifest expected;
    private final ScorerOptions scorerOptions;
    private final UnaryOperator<Thresholds> effectiveThresholds;
    private final ScoringMetrics metrics;
    private final ModelSlot slot;
    private final Thread thread;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean closed;
    /** Versions (with their SHA-256) already refused: a compacted topic replays them, refuse each once. */
    private final Set<String> refused = new HashSet<>();
    /** Where following resumes after a failure, so an older promotion is not replayed over a newer one. */
    private final Map<TopicPartition, Long> nextOffsets = new HashMap<>();
    private static final Duration RETRY_BACKOFF = Duration.ofSeconds(2);

    public ModelFollower(Properties clientProperties, String topic, ModelManifest expected, ScorerOptions scorerOptions,
                         UnaryOperator<Thresholds> effectiveThresholds, ScoringMetrics metrics, ModelSlot slot) {
        this.consumerProperties = new Properties();
        clientProperties.forEach((k, v) -> {
            if (ConsumerConfig.configNames().contains(String.valueOf(k))) {
                consumerProperties.put(k, v);
            }
        });
        consumerProperties.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumerProperties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProperties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProperties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        consumerProperties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        this.topic = topic;
        this.expected = expected;
        this.scorerOptions = scorerOptions;
        this.effectiveThresholds = effectiveThresholds;
        this.metrics = metrics;
        this.slot = slot;
        this.thread = new Thread(this::run, "latentwatch-model-follower");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    private void run() {
        while (!closed) {
            try {
                follow();
            } catch (WakeupException | org.apache.kafka.common.errors.InterruptException e) {
                // closing
            } catch (RuntimeException e) {
                // The model keeps serving; following starts over (where it left off) after a pause.
                LOG.error("event=model_follower_failed topic={} retry_in_ms={} error=\"{}\"", topic,
                        RETRY_BACKOFF.toMillis(), e.toString(), e);
                pause(RETRY_BACKOFF);
            }
        }
    }

    private void follow() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProperties)) {
            consumer = c;
            if (closed) {
                return;
            }
            List<TopicPartition> partitions = awaitPartitions(c);
            if (partitions.isEmpty()) {
                return; // closed while waiting
            }
            c.assign(partitions);
            for (TopicPartition tp : partitions) {
                Long next = nextOffsets.get(tp);
                if (next == null) {
                    c.seekToBeginning(List.of(tp));
                } else {
                    c.seek(tp, next);
                }
            }
            LOG.info("event=model_follower_started topic={} model_id={} partitions={}", topic, expected.modelId(),
                    partitions.size());
            while (!closed) {
                ModelEvent latest = null;
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    nextOffsets.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
                    ModelEvent e = decode(r);
                    if (e != null && e.getModelId().equals(expected.modelId())
                            && (e.getType() == ModelEventType.PROMOTED || e.getType() == ModelEventType.ROLLED_BACK)) {
                        latest = e; // only the newest promotion of a poll matters
                    }
                }
                if (latest != null) {
                    consider(latest);
                }
            }
        } finally {
            consumer = null;
        }
    }

    /**
     * The topic's partitions, waiting while the broker does not know the topic yet: a topic created a moment ago may
     * not be in the metadata the broker serves, and following no partition at all would miss every promotion.
     */
    private List<TopicPartition> awaitPartitions(KafkaConsumer<byte[], byte[]> c) {
        boolean logged = false;
        while (!closed) {
            List<TopicPartition> partitions = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            if (!partitions.isEmpty()) {
                return partitions;
            }
            if (!logged) {
                LOG.warn("event=model_follower_waiting topic={} reason=\"the broker does not know the topic yet\"", topic);
                logged = true;
            }
            pause(Duration.ofMillis(200));
        }
        return List.of();
    }

    private void pause(Duration d) {
        long until = System.nanoTime() + d.toNanos();
        while (!closed && System.nanoTime() < until) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private ModelEvent decode(ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null) {
            return null; // a tombstone: compaction removed a model's events
        }
        try {
            return ModelEvents.decode(r.value());
        } catch (IllegalArgumentException e) {
            LOG.warn("event=model_event_unreadable topic={} partition={} offset={} key={} error=\"{}\"", r.topic(),
                    r.partition(), r.offset(), r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8),
                    e.getMessage());
            return null;
        }
    }

    /** Verifies and warms up the bundle an event names and offers it to the tasks, or refuses it. */
    void consider(ModelEvent event) {
        ModelSlot.Serving serving = slot.current();
        ModelManifest now = serving.bundle().manifest();
        if (event.getModelVersion().equals(now.modelVersion()) && event.getSha256().equals(now.onnxSha256())) {
            return;
        }
        String key = event.getModelVersion() + "/" + event.getSha256() + "/" + event.getBundleUri();
        if (refused.contains(key)) {
            return;
        }
        LOG.info("event=model_loading model_id={} from_version={} to_version={} type={} bundle=\"{}\"",
                event.getModelId(), now.modelVersion(), event.getModelVersion(), event.getType(), event.getBundleUri());
        ModelBundle bundle;
        Thresholds thresholds;
        try {
            bundle = ModelBundle.load(ModelEvents.bundlePath(event));
            check(event, bundle.manifest());
            thresholds = effectiveThresholds.apply(bundle.manifest().thresholds());
        } catch (RuntimeException e) {
            refuse(event, e instanceof InputMismatch ? "input_shape" : "verification", e.getMessage());
            refused.add(key);
            return;
        }
        try (OnnxScorer scorer = OnnxScorer.open(bundle, scorerOptions)) {
            ScoreBatch warm = scorer.score(new float[][] {new float[bundle.manifest().inputWidth()]});
            if (!Double.isFinite(warm.score(0))) {
                throw new IllegalStateException("the warm-up row (all zeros) scored " + warm.score(0));
            }
        } catch (RuntimeException e) {
            refuse(event, "open", e.getMessage());
            refused.add(key);
            return;
        }
        ModelSlot.Serving next = slot.offer(bundle, thresholds);
        LOG.info("event=model_ready model_id={} version={} generation={} sha256={} warning_threshold={} "
                        + "critical_threshold={}", event.getModelId(), event.getModelVersion(), next.generation(),
                bundle.manifest().onnxSha256(), thresholds.warning(), thresholds.critical());
    }

    private void check(ModelEvent event, ModelManifest m) {
        if (!m.modelId().equals(event.getModelId()) || !m.modelVersion().equals(event.getModelVersion())) {
            throw new IllegalStateException("the bundle is " + m.modelId() + "@" + m.modelVersion() + ", the event names "
                    + event.getModelId() + "@" + event.getModelVersion());
        }
        if (!event.getSha256().isEmpty() && !event.getSha256().equals(m.onnxSha256())) {
            throw new IllegalStateException("the event says SHA-256 " + event.getSha256() + " but the bundle's model is "
                    + m.onnxSha256());
        }
        if (!m.featureNames().equals(expected.featureNames()) || m.windowLength() != expected.windowLength()
                || m.inputWidth() != expected.inputWidth()) {
            throw new InputMismatch("the bundle takes features " + m.featureNames() + " x window " + m.windowLength()
                    + " (input width " + m.inputWidth() + "), this topology was built for " + expected.featureNames()
                    + " x window " + expected.windowLength() + " (input width " + expected.inputWidth() + ")");
        }
    }

    private void refuse(ModelEvent event, String reason, String message) {
        LOG.error("event=model_refused model_id={} version={} reason={} serving_version={} bundle=\"{}\" error=\"{}\"",
                event.getModelId(), event.getModelVersion(), reason, slot.current().bundle().manifest().modelVersion(),
                event.getBundleUri(), message);
        metrics.modelRefused(event.getModelId(), event.getModelVersion(), reason);
    }

    /** Stops following; the slot keeps its model. */
    @Override
    public void close() {
        closed = true;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread.isAlive()) {
            try {
                thread.join(Duration.ofSeconds(10).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final class InputMismatch extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        InputMismatch(String message) {
            super(message);
        }
    }
}
