package io.latentwatch.streaming;

import static io.latentwatch.streaming.ScoringHarness.SERIES_WINDOW;
import static io.latentwatch.streaming.ScoringHarness.header;
import static io.latentwatch.streaming.ScoringHarness.json;
import static io.latentwatch.streaming.ScoringHarness.sine;
import static org.assertj.core.api.Assertions.assertThat;

import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.features.SlidingWindow;
import io.latentwatch.schemas.Alert;
import io.latentwatch.schemas.LatentCode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scoring topology on a windowed model (W = 16 over a sine wave). */
class WindowedScoringTopologyTest {
    @TempDir
    static Path models;
    static ModelBundle bundle;

    @TempDir
    Path state;
    private ScoringHarness h;

    @BeforeAll
    static void train() {
        bundle = ScoringHarness.trainSeries(models);
        assertThat(bundle.manifest().windowLength()).isEqualTo(SERIES_WINDOW);
    }

    @BeforeEach
    void open() {
        h = new ScoringHarness(bundle, state, Map.of());
    }

    @AfterEach
    void close() {
        h.close();
    }

    private void sendSine(String entity, int step) {
        h.sendJson(entity, json(entity, 1_000L * step, sine(step)), 1_000L * step);
    }

    @Test
    void nothingIsEmittedUntilTheWindowIsFullThenOneLatentPerRecord() {
        for (int i = 0; i < SERIES_WINDOW - 1; i++) {
            sendSine("a", i);
        }
        assertThat(h.latentRecords()).isEmpty();
        assertThat(h.deadLetters.isEmpty()).isTrue();

        sendSine("a", SERIES_WINDOW - 1);
        List<LatentCode> first = h.readLatents();
        assertThat(first).singleElement().satisfies(c -> {
            assertThat(c.getEntity()).isEqualTo("a");
            assertThat(c.getTimestamp()).isEqualTo(1_000L * (SERIES_WINDOW - 1));
            assertThat(c.getModelId()).isEqualTo("sine");
            assertThat(c.getModelVersion()).isEqualTo("3");
            assertThat(c.getLatent()).hasSize(bundle.manifest().latentDim());
        });

        for (int i = SERIES_WINDOW; i < SERIES_WINDOW + 30; i++) {
            sendSine("a", i);
        }
        List<LatentCode> next = h.readLatents();
        assertThat(next).hasSize(30);
        assertThat(next).extracting(LatentCode::getTimestamp)
                .containsExactlyElementsOf(java.util.stream.LongStream.range(SERIES_WINDOW, SERIES_WINDOW + 30)
                        .mapToObj(i -> 1_000L * i).toList());
        // A sine continued in phase is what the model was trained on.
        assertThat(h.alertRecords()).isEmpty();
    }

    @Test
    void entitiesHaveIndependentWindows() {
        // Interleave: a gets a full window, b only 10 records.
        for (int i = 0; i < SERIES_WINDOW; i++) {
            sendSine("a", i);
            if (i < 10) {
                sendSine("b", i + 7);
            }
        }
        assertThat(h.readLatents()).extracting(LatentCode::getEntity).containsExactly("a");
        for (int i = 10; i < SERIES_WINDOW; i++) {
            sendSine("b", i + 7);
        }
        assertThat(h.readLatents()).extracting(LatentCode::getEntity).containsExactly("b");
        sendSine("a", SERIES_WINDOW);
        sendSine("b", SERIES_WINDOW + 7);
        assertThat(h.readLatents()).extracting(LatentCode::getEntity).containsExactly("a", "b");

        KeyValueStore<String, byte[]> store = h.driver.getKeyValueStore(ScoringTopology.WINDOW_STORE);
        SlidingWindow a = SlidingWindow.fromBytes(store.get("a"));
        assertThat(a.isFull()).isTrue();
        assertThat(a.lastTimestamp()).isEqualTo(1_000L * SERIES_WINDOW);
    }

    @Test
    void aRejectedRecordLeavesNoTraceInTheWindow() {
        for (int i = 0; i < 10; i++) {
            sendSine("a", i);
        }
        h.sendJson("a", "{\"values\":[NaN]}", 0L);
        h.sendJson("a", "{\"values\":[1,2]}", 0L);
        for (int i = 10; i < SERIES_WINDOW - 1; i++) {
            sendSine("a", i);
        }
        assertThat(h.latentRecords()).isEmpty();
        assertThat(h.deadLetters.readRecordsToList()).extracting(r -> header(r, DeadLetterHeaders.REASON))
                .containsExactly("NON_FINITE", "WRONG_LENGTH");
        sendSine("a", SERIES_WINDOW - 1);
        assertThat(h.latentRecords()).hasSize(1);
    }

    @Test
    void aSpikeRaisesAnAlertNamingTheNewestValue() {
        for (int i = 0; i < 3 * SERIES_WINDOW; i++) {
            sendSine("a", i);
        }
        h.latentRecords();
        assertThat(h.alertRecords()).isEmpty();
        int spikeStep = 3 * SERIES_WINDOW;
        h.sendJson("a", json("a", 1_000L * spikeStep, 6f), 1_000L * spikeStep);
        List<Alert> alerts = h.readAlerts();
        assertThat(alerts).singleElement().satisfies(a -> {
            assertThat(a.getEntity()).isEqualTo("a");
            assertThat(a.getTopFeatures().get(0).getName()).isEqualTo("value[t]");
            assertThat(a.getTopFeatures().get(0).getObserved()).isEqualTo(6.0);
        });
    }

    /** A second harness with its own state, for window policies other than the default. */
    private ScoringHarness harness(Map<String, Object> overrides) {
        h.close();
        h = new ScoringHarness(bundle, state.resolve("policy"), overrides);
        return h;
    }

    private static void sendSine(ScoringHarness harness, String entity, int step) {
        harness.sendJson(entity, json(entity, 1_000L * step, sine(step)), 1_000L * step);
    }

    @Test
    void aRecordLateWithinTheGracePeriodIsWindowedInEventTimeOrder() {
        ScoringHarness g = harness(Map.of(LatentwatchStreamsConfig.WINDOW_GRACE_MS_CONFIG, 3_000L));
        for (int i = 0; i < SERIES_WINDOW + 2; i++) {
            if (i != SERIES_WINDOW) {
                sendSine(g, "a", i);
            }
        }
        sendSine(g, "a", SERIES_WINDOW); // 1 s late
        assertThat(g.readLatents()).extracting(LatentCode::getTimestamp).containsExactly(
                1_000L * (SERIES_WINDOW - 1), 1_000L * (SERIES_WINDOW + 1), 1_000L * SERIES_WINDOW);
        assertThat(g.deadLetters.isEmpty()).isTrue();
        SlidingWindow w = SlidingWindow.fromBytes(g.driver.<String, byte[]>getKeyValueStore(ScoringTopology.WINDOW_STORE).get("a"));
        assertThat(w.timestamps()).isSorted().contains(1_000L * SERIES_WINDOW).hasSize(SERIES_WINDOW);
        assertThat(w.flatten()[SERIES_WINDOW - 2]).isEqualTo(sine(SERIES_WINDOW));
    }

    @Test
    void aRecordLaterThanTheGracePeriodGoesToTheDeadLetterTopic() {
        ScoringHarness g = harness(Map.of(LatentwatchStreamsConfig.WINDOW_GRACE_MS_CONFIG, 3_000L));
        for (int i = 10; i < 20; i++) {
            sendSine(g, "a", i);
        }
        sendSine(g, "a", 15); // 4 s behind the newest: within the window, beyond the grace period
        sendSine(g, "b", 3); // another entity has its own newest record
        var dead = g.deadLetters.readRecordsToList();
        assertThat(dead).singleElement().satisfies(r -> {
            assertThat(header(r, DeadLetterHeaders.REASON)).isEqualTo("LATE_RECORD");
            assertThat(header(r, DeadLetterHeaders.ERROR)).contains("4000 ms").contains("windows.grace-ms is 3000");
            assertThat(new String(r.value(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(json("a", 15_000L, sine(15)));
        });
        SlidingWindow w = SlidingWindow.fromBytes(g.driver.<String, byte[]>getKeyValueStore(ScoringTopology.WINDOW_STORE).get("a"));
        assertThat(w.size()).isEqualTo(10);
    }

    @Test
    void byDefaultAnyRecordOlderThanTheNewestIsLate() {
        for (int i = 0; i < 5; i++) {
            sendSine("a", i);
        }
        sendSine("a", 3);
        sendSine("a", 4); // the same event time as the newest is not late
        assertThat(h.deadLetters.readRecordsToList()).extracting(r -> header(r, DeadLetterHeaders.REASON))
                .containsExactly("LATE_RECORD");
    }

    @Test
    void aGapLongerThanTheLimitResetsTheWindow() {
        ScoringHarness g = harness(Map.of(LatentwatchStreamsConfig.WINDOW_MAX_GAP_MS_CONFIG, 10_000L));
        for (int i = 0; i < SERIES_WINDOW; i++) {
            sendSine(g, "a", i);
        }
        assertThat(g.latentRecords()).hasSize(1);
        int resume = SERIES_WINDOW + 20; // 21 s after the newest
        for (int i = resume; i < resume + SERIES_WINDOW - 1; i++) {
            sendSine(g, "a", i);
        }
        assertThat(g.latentRecords()).isEmpty(); // refilling
        sendSine(g, "a", resume + SERIES_WINDOW - 1);
        assertThat(g.readLatents()).extracting(LatentCode::getTimestamp).containsExactly(1_000L * (resume + SERIES_WINDOW - 1));
        assertThat(g.deadLetters.isEmpty()).isTrue();
    }

    @Test
    void imputeLastKeepsScoringAcrossAGap() {
        ScoringHarness g = harness(Map.of(LatentwatchStreamsConfig.WINDOW_MAX_GAP_MS_CONFIG, 10_000L,
                LatentwatchStreamsConfig.WINDOW_GAP_POLICY_CONFIG, "impute-last"));
        for (int i = 0; i < SERIES_WINDOW; i++) {
            sendSine(g, "a", i);
        }
        g.latentRecords();
        int resume = SERIES_WINDOW + 20;
        sendSine(g, "a", resume);
        assertThat(g.readLatents()).extracting(LatentCode::getTimestamp).containsExactly(1_000L * resume);
        SlidingWindow w = SlidingWindow.fromBytes(g.driver.<String, byte[]>getKeyValueStore(ScoringTopology.WINDOW_STORE).get("a"));
        // 20 steps missing, at most W - 1 = 15 imputed, each a copy of the last real row, one second apart.
        float[] rows = w.flatten();
        for (int t = 0; t < SERIES_WINDOW - 1; t++) {
            assertThat(rows[t]).isEqualTo(sine(SERIES_WINDOW - 1));
        }
        assertThat(rows[SERIES_WINDOW - 1]).isEqualTo(sine(resume));
        assertThat(w.timestamps()).isSorted().endsWith(1_000L * resume);
    }
}
