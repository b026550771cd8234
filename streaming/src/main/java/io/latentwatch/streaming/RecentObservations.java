package io.latentwatch.streaming;

import io.latentwatch.core.features.FeatureLayout;
import io.latentwatch.core.features.InvalidRecordException;
import io.latentwatch.schemas.Alert;
import io.latentwatch.schemas.AlertEvent;
import io.latentwatch.streaming.internals.DecodedObservation;
import io.latentwatch.streaming.internals.ObservationDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a time range of the input topic back as feature rows for retraining, through the same decoding and
 * featurisation the scoring topology uses, leaving out every record that lies inside an alert episode of its entity
 * (so anomalies are not learnt as normal) and every record the topology would dead-letter.
 *
 * <p>Tabular models only (window length 1). Episodes are taken from the alerts topic over the same range: an episode
 * with a CLOSE event covers its entity from its start to its last anomalous record; one without (still running, or
 * closed after the range) covers its entity from its start on. An episode that opened before the range and has no
 * event inside it is not seen.
 */
public final class RecentObservations {
    private static final Duration POLL = Duration.ofMillis(200);

    private RecentObservations() {}

    /**
     * What was read.
     *
     * @param rows feature rows of the kept records, in topic order per partition (partitions one after another)
     * @param read records read in the range
     * @param inEpisodes records left out because they lie in an alert episode
     * @param rejected records left out because they cannot be scored (malformed, wrong length, ...)
     */
    public record Collected(float[][] rows, long read, long inEpisodes, long rejected) {}

    /**
     * Reads records with timestamps in {@code [fromMillis, untilMillis)} that are on the topics now.
     *
     * @param clientProperties bootstrap servers and security settings of a Kafka consumer
     */
    public static Collected read(Properties clientProperties, String inputTopic, InputFormat format, String alertsTopic,
                                 List<String> featureNames, long fromMillis, long untilMillis) {
        Map<String, List<long[]>> episodes = new HashMap<>();
        Map<String, long[]> byId = new HashMap<>();
        Map<String, String> entityOf = new HashMap<>();
        readRange(clientProperties, alertsTopic, fromMillis, Long.MAX_VALUE, r -> {
            Alert a;
            try {
                a = LatentwatchSerdes.decodeAlert(r.value());
            } catch (RuntimeException e) {
                return; // not an alert of ours: it cannot mark an episode
            }
            long[] span = byId.computeIfAbsent(a.getEpisodeId(), k -> new long[] {a.getEpisodeStart(), Long.MAX_VALUE});
            entityOf.put(a.getEpisodeId(), a.getEntity());
            if (a.getEvent() == AlertEvent.CLOSE) {
                span[1] = a.getEpisodeStart() + a.getDurationMs();
            }
        });
        byId.forEach((id, span) -> episodes.computeIfAbsent(entityOf.get(id), e -> new ArrayList<>()).add(span));

        ObservationDecoder decoder = ObservationDecoder.forFormat(format, Integer.MAX_VALUE);
        FeatureLayout layout = new FeatureLayout(featureNames);
        List<float[]> rows = new ArrayList<>();
        long[] counts = new long[3];
        readRange(clientProperties, inputTopic, fromMillis, untilMillis, r -> {
            counts[0]++;
            DecodedObservation obs;
            float[] row;
            try {
                obs = decoder.decode(r.key(), r.value(), r.timestamp());
                row = obs.features(layout);
            } catch (InvalidRecordException | IllegalArgumentException e) {
                counts[2]++;
                return;
            }
            for (long[] span : episodes.getOrDefault(obs.entity(), List.of())) {
                if (obs.timestamp() >= span[0] && obs.timestamp() <= span[1]) {
                    counts[1]++;
                    return;
                }
            }
            rows.add(row);
        });
        return new Collected(rows.toArray(float[][]::new), counts[0], counts[1], counts[2]);
    }

    /** Hands every record of {@code topic} with a timestamp in the range to {@code handler}, up to today's end offsets. */
    private static void readRange(Properties clientProperties, String topic, long fromMillis, long untilMillis,
                                  Consumer<ConsumerRecord<byte[], byte[]>> handler) {
        Properties p = new Properties();
        clientProperties.forEach((k, v) -> {
            if (ConsumerConfig.configNames().contains(String.valueOf(k))) {
                p.put(k, v);
            }
        });
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            c.assign(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            Map<TopicPartition, Long> query = new HashMap<>();
            parts.forEach(tp -> query.put(tp, fromMillis));
            Map<TopicPartition, OffsetAndTimestamp> start = c.offsetsForTimes(query);
            List<TopicPartition> remaining = new ArrayList<>();
            for (TopicPartition tp : parts) {
                OffsetAndTimestamp o = start.get(tp);
                long from = o == null ? end.get(tp) : o.offset();
                c.seek(tp, from);
                if (from < end.get(tp)) {
                    remaining.add(tp);
                }
            }
            while (!remaining.isEmpty()) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() < end.get(tp) && r.timestamp() >= fromMillis && r.timestamp() < untilMillis
                            && r.value() != null) {
                        handler.accept(r);
                    }
                }
                // position() is past any transaction markers, so it reaches the end offset even when the last record
                // is a commit marker.
                remaining.removeIf(tp -> c.position(tp) >= end.get(tp));
            }
        }
    }
}
