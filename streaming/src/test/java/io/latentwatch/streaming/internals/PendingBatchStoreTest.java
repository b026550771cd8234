package io.latentwatch.streaming.internals;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.IntegerDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * The pending store on Kafka Streams' own commit path ({@link TopologyTestDriver} runs the real task and commits
 * after every input record and every wall-clock advance): each commit logs the tracked list as it stands, in
 * chunks, and nothing when it did not change.
 */
class PendingBatchStoreTest {
    private static final String STORE = "pending";
    private static final String CHANGELOG = "app-" + STORE + "-changelog";

    /** Holds every input record as a pending record until a wall-clock tick, then drops them all ("scored"). */
    private static final class HoldingProcessor implements Processor<String, String, Void, Void> {
        private final List<PendingRecord> pending = new ArrayList<>();
        private PendingBatchStore store;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(STORE);
            store.track(pending);
            context.schedule(Duration.ofMillis(100), PunctuationType.WALL_CLOCK_TIME, now -> {
                pending.clear();
                store.markChanged();
            });
        }

        @Override
        public void process(Record<String, String> record) {
            pending.add(new PendingRecord(record.key().getBytes(StandardCharsets.UTF_8),
                    record.value().getBytes(StandardCharsets.UTF_8), new RecordHeaders(), record.timestamp(), "in", 0,
                    pending.size()));
            store.markChanged();
        }
    }

    private static TopologyTestDriver driver(int chunkBytes) {
        Topology t = new Topology();
        t.addSource("in", "in");
        t.addProcessor("hold", HoldingProcessor::new, "in");
        t.addStateStore(PendingBatchStore.builder(STORE, chunkBytes), "hold");
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "app");
        p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, "org.apache.kafka.common.serialization.Serdes$StringSerde");
        p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, "org.apache.kafka.common.serialization.Serdes$StringSerde");
        return new TopologyTestDriver(t, p);
    }

    /** A pending record as the first release stored it: decoded fields (entity, event time, row) included. */
    private static byte[] firstFormat(byte[] value, long recordTimestamp) {
        byte[] entity = "e".getBytes(StandardCharsets.UTF_8);
        byte[] topic = "in".getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(1 + 8 + 8 + 4 + 8 + 4 + 2 * 4 + 4 + entity.length + 4 + 4 + value.length
                + 4 + topic.length + 4);
        b.put((byte) 1).putLong(5L).putLong(recordTimestamp).putInt(0).putLong(7L).putInt(2).putFloat(1f).putFloat(2f);
        b.putInt(entity.length).put(entity).putInt(-1).putInt(value.length).put(value).putInt(topic.length).put(topic);
        return b.putInt(0).array();
    }

    private static List<String> values(List<PendingRecord> records) {
        return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void eachCommitLogsThePendingRecordsOnceAndAnUnchangedListNotAtAll() {
        try (TopologyTestDriver driver = driver(PendingBatchStore.CHUNK_BYTES)) {
            TestInputTopic<String, String> in = driver.createInputTopic("in", new StringSerializer(), new StringSerializer());
            TestOutputTopic<Integer, byte[]> changelog = driver.createOutputTopic(CHANGELOG, new IntegerDeserializer(),
                    new ByteArrayDeserializer());
            PendingBatchStore store = (PendingBatchStore) driver.getStateStore(STORE);
            in.pipeInput("a", "v0");
            in.pipeInput("b", "v1");
            in.pipeInput("a", "v2");
            List<TestRecord<Integer, byte[]>> logged = changelog.readRecordsToList();
            assertThat(logged).extracting(TestRecord::key).containsExactly(0, 0, 0); // one write per commit
            assertThat(values(store.restored())).containsExactly("v0", "v1", "v2");

            driver.advanceWallClockTime(Duration.ofMillis(100)); // flushed: the next commit deletes the snapshot
            assertThat(changelog.readRecordsToList()).singleElement()
                    .satisfies(r -> assertThat(r.value()).isNull());
            assertThat(store.restored()).isEmpty();
            driver.advanceWallClockTime(Duration.ofMillis(10)); // a commit with nothing changed writes nothing
            assertThat(changelog.readRecordsToList()).isEmpty();
        }
    }

    @Test
    void aLargeSnapshotIsSplitIntoChunksAndAShorterOneDeletesTheRest() {
        try (TopologyTestDriver driver = driver(100)) { // each pending record here takes 46 bytes
            TestInputTopic<String, String> in = driver.createInputTopic("in", new StringSerializer(), new StringSerializer());
            TestOutputTopic<Integer, byte[]> changelog = driver.createOutputTopic(CHANGELOG, new IntegerDeserializer(),
                    new ByteArrayDeserializer());
            PendingBatchStore store = (PendingBatchStore) driver.getStateStore(STORE);
            for (int i = 0; i < 7; i++) {
                in.pipeInput("e", "v" + i);
            }
            assertThat(values(store.restored())).containsExactly("v0", "v1", "v2", "v3", "v4", "v5", "v6");
            assertThat(store.chunks().get(2)).isNotNull();
            assertThat(store.chunks().get(4)).isNull();
            changelog.readRecordsToList();

            driver.advanceWallClockTime(Duration.ofMillis(100));
            in.pipeInput("e", "w0");
            // The tick's commit deletes the four chunks, once each; w0's commit writes chunk 0 again.
            List<TestRecord<Integer, byte[]>> logged = changelog.readRecordsToList();
            assertThat(logged.stream().filter(r -> r.value() == null).map(TestRecord::key).sorted().toList())
                    .containsExactly(0, 1, 2, 3).doesNotHaveDuplicates();
            assertThat(values(store.restored())).containsExactly("w0");
        }
    }

    @Test
    void recordsStoredOnePerKeyByEarlierVersionsAreRead() {
        try (TopologyTestDriver driver = driver(PendingBatchStore.CHUNK_BYTES)) {
            PendingBatchStore store = (PendingBatchStore) driver.getStateStore(STORE);
            for (int slot = 0; slot < 3; slot++) {
                store.chunks().put(slot, firstFormat(("old" + slot).getBytes(StandardCharsets.UTF_8), 100 + slot));
            }
            List<PendingRecord> restored = store.restored();
            assertThat(values(restored)).containsExactly("old0", "old1", "old2");
            assertThat(restored).extracting(PendingRecord::recordTimestamp).containsExactly(100L, 101L, 102L);
            assertThat(restored).extracting(PendingRecord::sourceOffset).containsExactly(7L, 7L, 7L);
            assertThat(restored.get(0).key()).isNull();
        }
    }
}
