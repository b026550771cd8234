package io.latentwatch.streaming;

import static io.latentwatch.streaming.ScoringHarness.correlated;
import static io.latentwatch.streaming.ScoringHarness.header;
import static io.latentwatch.streaming.ScoringHarness.json;
import static io.latentwatch.streaming.ScoringHarness.sine;
import static org.assertj.core.api.Assertions.assertThat;

import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.schemas.LatentCode;
import io.latentwatch.streaming.internals.PendingBatchStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.IntegerDeserializer;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Micro-batched scoring: flush at B records or T ms, input order, and no loss across a restart. */
class MicroBatchingTest {
    private static final String PENDING_CHANGELOG = "latentwatch-test-" + ScoringTopology.PENDING_STORE + "-changelog";
    private static final long LONG_WAIT_MS = 60_000L; // the longest allowed wait: never reached unless advanced

    @TempDir
    static Path models;
    static ModelBundle tabular;
    static ModelBundle series;

    @TempDir
    Path state;
    private final List<ScoringHarness> open = new ArrayList<>();

    @BeforeAll
    static void train() {
        tabular = ScoringHarness.trainTabular(models);
        series = ScoringHarness.trainSeries(models);
    }

    @AfterEach
    void closeDrivers() {
        open.forEach(ScoringHarness::close);
    }

    /** Batches prepared on the stream thread, so a full batch is emitted before the test's next step. */
    private ScoringHarness harness(ModelBundle bundle, int maxRecords, long maxWaitMs) {
        return harness(bundle, maxRecords, maxWaitMs, false);
    }

    private ScoringHarness harness(ModelBundle bundle, int maxRecords, long maxWaitMs, boolean pipeline) {
        ScoringHarness h = new ScoringHarness(bundle, state.resolve("s" + open.size()), Map.of(
                LatentwatchStreamsConfig.BATCH_MAX_RECORDS_CONFIG, maxRecords,
                LatentwatchStreamsConfig.BATCH_MAX_WAIT_MS_CONFIG, maxWaitMs,
                LatentwatchStreamsConfig.BATCH_PIPELINE_CONFIG, pipeline));
        open.add(h);
        return h;
    }

    /** Tabular rows for host-0..2, the 8th far off the training manifold (an alert), the 12th not even JSON. */
    private static void sendTabular(ScoringHarness h, int from, int to) {
        for (int i = from; i < to; i++) {
            String entity = "host-" + (i % 3);
            if (i == 12) {
                h.sendJson(entity, "{not json", 10_000L + i);
                continue;
            }
            float[] v = i == 8 ? new float[] {1f, -2f, 1f, 1f} : correlated(-1f + i / 20f, 0f);
            h.sendJson(entity, json(entity, 1_000L + i, v), 10_000L + i);
        }
    }

    /** Sine series of entities a and b, 40 records each, a's 21st far out of range (it scores non-finite). */
    private static void sendSeries(ScoringHarness h) {
        for (int i = 0; i < 40; i++) {
            for (String entity : List.of("a", "b")) {
                String value = entity.equals("a") && i == 20 ? "3.0e38" : Float.toString(sine(i));
                h.sendJson(entity, "{\"entity\":\"" + entity + "\",\"timestamp\":" + 1_000L * i
                        + ",\"values\":[" + value + "]}", 1_000L * i);
            }
        }
    }

    @Test
    void theTopologyHasAPendingStoreOnlyWhenBatching() {
        assertThat(describe(harness(tabular, 1, 10))).doesNotContain(ScoringTopology.PENDING_STORE);
        assertThat(describe(harness(tabular, 4, 10))).contains(ScoringTopology.PENDING_STORE);
    }

    private static String describe(ScoringHarness h) {
        TopologyDescription d = ScoringTopology.build(h.settings, h.bundle).describe();
        return d.toString();
    }

    @Test
    void aBatchIsScoredWhenFullAndMatchesScoringOneByOne() {
        ScoringHarness single = harness(tabular, 1, 10);
        sendTabular(single, 0, 16);
        List<TestRecord<byte[], byte[]>> expectedLatents = single.latentRecords();
        List<TestRecord<byte[], byte[]>> expectedAlerts = single.alertRecords();
        assertThat(expectedAlerts).isNotEmpty();

        ScoringHarness batched = harness(tabular, 5, LONG_WAIT_MS);
        sendTabular(batched, 0, 4);
        assertThat(batched.latentRecords()).isEmpty();
        sendTabular(batched, 4, 5);
        assertThat(batched.latentRecords()).hasSize(5);
        sendTabular(batched, 5, 13); // records are decoded with their batch: 12 (bad) waits in the third
        assertThat(batched.latentRecords()).hasSize(5);
        assertThat(batched.deadLetters.readRecordsToList()).isEmpty();
        sendTabular(batched, 13, 15); // the third batch, 10..14: four latent codes and 12 dead-lettered
        assertThat(batched.latentRecords()).hasSize(4);
        assertThat(batched.deadLetters.readRecordsToList()).singleElement()
                .satisfies(r -> assertThat(header(r, DeadLetterHeaders.REASON)).isEqualTo("MALFORMED_JSON"));
        sendTabular(batched, 15, 16);
        assertThat(batched.latentRecords()).isEmpty();

        // All 15 good records, now with the earlier batches prepended (the last one goes out when the wait is over).
        ScoringHarness again = harness(tabular, 5, LONG_WAIT_MS);
        sendTabular(again, 0, 16);
        again.driver.advanceWallClockTime(Duration.ofMillis(LONG_WAIT_MS));
        assertSameRecords(again.latentRecords(), expectedLatents);
        assertSameRecords(again.alertRecords(), expectedAlerts);
    }

    @Test
    void aPartialBatchIsScoredWhenTheWaitHasPassed() {
        ScoringHarness h = harness(tabular, 100, 50);
        sendTabular(h, 0, 3);
        assertThat(h.latentRecords()).isEmpty();
        h.driver.advanceWallClockTime(Duration.ofMillis(50));
        assertThat(h.readLatents()).extracting(LatentCode::getTimestamp).containsExactly(1_000L, 1_001L, 1_002L);
        h.driver.advanceWallClockTime(Duration.ofMillis(500));
        assertThat(h.latentRecords()).isEmpty();
    }

    /**
     * A task that dies with records pending has written them to the pending store's changelog in the same commit
     * as their offsets; the task's next owner restores the store from that changelog and scores them, once, before
     * anything newer.
     */
    @Test
    void pendingRecordsSurviveARestartThroughTheChangelogAndAreScoredOnceInOrder() {
        ScoringHarness expected = harness(tabular, 1, 10);
        sendTabular(expected, 0, 12);
        List<TestRecord<byte[], byte[]>> want = expected.latentRecords();

        ScoringHarness crashed = harness(tabular, 100, LONG_WAIT_MS);
        TestOutputTopic<Integer, byte[]> changelog = crashed.driver.createOutputTopic(PENDING_CHANGELOG,
                new IntegerDeserializer(), new ByteArrayDeserializer());
        sendTabular(crashed, 0, 7);
        assertThat(crashed.latentRecords()).isEmpty();
        List<TestRecord<Integer, byte[]>> logged = changelog.readRecordsToList();
        assertThat(logged).isNotEmpty();
        crashed.close(); // closing flushes nothing: the pending records are only in the changelog now
        open.remove(crashed);
        assertThat(crashed.latentRecords()).isEmpty();

        ScoringHarness restarted = harness(tabular, 100, LONG_WAIT_MS);
        KeyValueStore<Integer, byte[]> store =
                ((PendingBatchStore) restarted.driver.getStateStore(ScoringTopology.PENDING_STORE)).chunks();
        for (TestRecord<Integer, byte[]> r : logged) { // what Kafka Streams' restore does with the changelog
            if (r.value() == null) {
                store.delete(r.key());
            } else {
                store.put(r.key(), r.value());
            }
        }
        // The processor reads the store when it first runs, as a new owner of the task does after the restore.
        sendTabular(restarted, 7, 12);
        restarted.driver.advanceWallClockTime(Duration.ofMillis(LONG_WAIT_MS));
        assertSameRecords(restarted.latentRecords(), want);
        restarted.driver.advanceWallClockTime(Duration.ofMillis(LONG_WAIT_MS));
        assertThat(restarted.latentRecords()).isEmpty();
    }

    @Test
    void windowsAreChainedWithinABatchAndANonFiniteRowLeavesNoTrace() {
        ScoringHarness single = harness(series, 1, 10);
        ScoringHarness batched = harness(series, 7, LONG_WAIT_MS);
        for (ScoringHarness h : List.of(single, batched)) {
            sendSeries(h);
            h.driver.advanceWallClockTime(Duration.ofMillis(LONG_WAIT_MS));
        }
        List<TestRecord<byte[], byte[]>> want = single.latentRecords();
        assertThat(want).hasSize(2 * (40 - ScoringHarness.SERIES_WINDOW + 1) - 1);
        assertSameRecords(batched.latentRecords(), want);
        assertThat(batched.deadLetters.readRecordsToList()).singleElement()
                .satisfies(r -> assertThat(header(r, DeadLetterHeaders.REASON)).isEqualTo("SCORING_FAILED"));
        assertThat(single.deadLetters.readRecordsToList()).hasSize(1);
    }

    /**
     * With the scoring threads, full batches are decoded, scored and encoded off the stream thread and emitted later,
     * yet every output topic gets exactly what scoring on the stream thread gives, in the same order: tabular rows
     * with a bad record among them, and windowed series with a non-finite row that is scored again without it.
     */
    @Test
    void thePipelinedScoringThreadsEmitExactlyWhatTheStreamThreadDoes() {
        for (ModelBundle bundle : List.of(tabular, series)) {
            ScoringHarness plain = harness(bundle, 4, LONG_WAIT_MS, false);
            ScoringHarness pipelined = harness(bundle, 4, LONG_WAIT_MS, true);
            for (ScoringHarness h : List.of(plain, pipelined)) {
                if (bundle == tabular) {
                    sendTabular(h, 0, 40);
                } else {
                    sendSeries(h);
                }
                h.driver.advanceWallClockTime(Duration.ofMillis(LONG_WAIT_MS));
            }
            List<TestRecord<byte[], byte[]>> latents = plain.latentRecords();
            assertThat(latents).hasSizeGreaterThan(30);
            assertSameRecords(pipelined.latentRecords(), latents);
            assertSameRecords(pipelined.alertRecords(), plain.alertRecords());
            List<TestRecord<byte[], byte[]>> deadLetters = plain.deadLetters.readRecordsToList();
            assertThat(deadLetters).hasSize(1);
            assertSameRecords(pipelined.deadLetters.readRecordsToList(), deadLetters);
        }
    }

    private static void assertSameRecords(List<TestRecord<byte[], byte[]>> actual, List<TestRecord<byte[], byte[]>> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i).key()).as("key %d", i).isEqualTo(expected.get(i).key());
            assertThat(actual.get(i).value()).as("value %d", i).isEqualTo(expected.get(i).value());
            assertThat(actual.get(i).timestamp()).as("timestamp %d", i).isEqualTo(expected.get(i).timestamp());
        }
    }
}
