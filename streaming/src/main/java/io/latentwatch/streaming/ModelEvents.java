package io.latentwatch.streaming;

import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.schemas.ModelEvent;
import io.latentwatch.schemas.ModelEventType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Model events ({@link ModelEvent}, Avro single-object encoding) on the compacted {@code models} topic, keyed as
 * {@link #key} says, so the topic keeps the latest promotion of every model. Streaming instances follow PROMOTED and
 * ROLLED_BACK events and swap to the named bundle; TRAINED and REFUSED are informative.
 */
public final class ModelEvents {
    private static final long TIMEOUT_MS = 30_000;

    private ModelEvents() {}

    /** An event about a bundle: its id, version, SHA-256 and absolute directory. */
    public static ModelEvent of(ModelEventType type, ModelBundle bundle, Map<String, String> details) {
        return ModelEvent.newBuilder()
                .setModelId(bundle.manifest().modelId())
                .setModelVersion(bundle.manifest().modelVersion())
                .setType(type)
                .setBundleUri(bundle.directory().toAbsolutePath().toString())
                .setSha256(bundle.manifest().onnxSha256())
                .setTimestamp(System.currentTimeMillis())
                .setDetails(Map.copyOf(details))
                .build();
    }

    /** The bundle directory an event names: a path, or a {@code file:} URI. */
    public static Path bundlePath(ModelEvent event) {
        String uri = event.getBundleUri();
        return uri.startsWith("file:") ? Path.of(java.net.URI.create(uri)) : Path.of(uri);
    }

    /**
     * The record key: the model id for PROMOTED and ROLLED_BACK, so compaction keeps each model's latest promotion;
     * {@code <modelId>@<version>} for TRAINED and REFUSED, which must not push the promotion out of a compacted topic.
     */
    public static String key(ModelEvent event) {
        return event.getType() == ModelEventType.PROMOTED || event.getType() == ModelEventType.ROLLED_BACK
                ? event.getModelId() : event.getModelId() + "@" + event.getModelVersion();
    }

    public static byte[] encode(ModelEvent event) {
        try {
            ByteBuffer b = event.toByteBuffer();
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a ModelEvent", e);
        }
    }

    /** Decodes an event; throws on anything that is not a ModelEvent of this schema. */
    public static ModelEvent decode(byte[] bytes) {
        try {
            return ModelEvent.fromByteBuffer(ByteBuffer.wrap(bytes));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a ModelEvent: " + e.getMessage(), e);
        }
    }

    /**
     * Creates the compacted models topic when it is missing (one partition: events are rare and must stay in order).
     *
     * @param adminProperties bootstrap servers and security settings
     */
    public static void ensureTopic(Properties adminProperties, String topic, int replicationFactor) {
        try (Admin admin = Admin.create(adminProperties)) {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (existing.contains(topic)) {
                return;
            }
            NewTopic t = new NewTopic(topic, Optional.of(1), Optional.of((short) replicationFactor))
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            try {
                admin.createTopics(java.util.List.of(t)).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create the models topic " + topic + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the models topic " + topic, e);
        }
    }

    /**
     * Publishes one event (creating the topic when missing) and waits until the broker has it.
     *
     * @param clientProperties bootstrap servers and security settings
     */
    public static void publish(Properties clientProperties, String topic, ModelEvent event) {
        Properties admin = new Properties();
        clientProperties.forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains(String.valueOf(k))) {
                admin.put(k, v);
            }
        });
        ensureTopic(admin, topic, 1);
        Properties p = new Properties();
        clientProperties.forEach((k, v) -> {
            if (ProducerConfig.configNames().contains(String.valueOf(k))) {
                p.put(k, v);
            }
        });
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(topic, key(event).getBytes(StandardCharsets.UTF_8), encode(event)))
                    .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot publish " + event.getType() + " of " + event.getModelId() + "@"
                    + event.getModelVersion() + " to " + topic + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing a model event", e);
        }
    }
}
