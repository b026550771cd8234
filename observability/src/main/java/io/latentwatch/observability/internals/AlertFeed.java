package io.latentwatch.observability.internals;

import io.latentwatch.schemas.Alert;
import io.latentwatch.streaming.LatentwatchSerdes;
import io.latentwatch.streaming.StreamsSettings;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest alerts, read back from the alerts topic (committed ones only, so the dashboard never shows an alert
 * that an aborted transaction took back). Reads without a consumer group, from the last {@code capacity} records of
 * each partition on, in a daemon thread.
 */
public final class AlertFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertFeed.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final int capacity;
    private final Deque<Alert> latest = new ArrayDeque<>();
    private final Thread thread;
    private volatile boolean running = true;

    private AlertFeed(StreamsSettings settings, int capacity) {
        this.topic = settings.alertsTopic();
        this.capacity = capacity;
        this.consumer = new KafkaConsumer<>(consumerProperties(settings));
        this.thread = new Thread(this::run, "latentwatch-alert-feed");
        thread.setDaemon(true);
    }

    /** Starts reading {@code settings.alertsTopic()} (which must exist) with the pass-through client settings (TLS/SASL). */
    public static AlertFeed start(StreamsSettings settings, int capacity) {
        AlertFeed feed = new AlertFeed(settings, capacity);
        feed.thread.start();
        return feed;
    }

    static Properties consumerProperties(StreamsSettings settings) {
        Properties p = new Properties();
        Set<String> known = ConsumerConfig.configNames();
        settings.clientProperties().forEach((k, v) -> {
            if (known.contains(k)) {
                p.put(k, v);
            }
        });
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.applicationId() + "-dashboard-alerts");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return p;
    }

    /** The latest alerts, newest first. */
    public synchronized List<Alert> latest() {
        List<Alert> out = new ArrayList<>(latest);
        java.util.Collections.reverse(out);
        return out;
    }

    private void run() {
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            for (TopicPartition tp : partitions) {
                consumer.seek(tp, Math.max(begin.get(tp), end.get(tp) - capacity));
            }
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    add(r);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            if (running) {
                LOG.warn("event=alert_feed_failed topic={} error=\"{}\"", topic, e.toString(), e);
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void add(ConsumerRecord<byte[], byte[]> r) {
        Alert a;
        try {
            a = LatentwatchSerdes.decodeAlert(r.value());
        } catch (Exception e) {
            LOG.warn("event=alert_unreadable topic={} partition={} offset={} error=\"{}\"", r.topic(), r.partition(),
                    r.offset(), e.toString());
            return;
        }
        synchronized (this) {
            latest.addLast(a);
            while (latest.size() > capacity) {
                latest.removeFirst();
            }
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
