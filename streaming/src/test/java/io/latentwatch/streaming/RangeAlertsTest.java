package io.latentwatch.streaming;

import static io.latentwatch.streaming.ScoringHarness.correlated;
import static io.latentwatch.streaming.ScoringHarness.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentwatch.core.scoring.ValueRange;
import io.latentwatch.schemas.Alert;
import io.latentwatch.schemas.AlertEvent;
import io.latentwatch.schemas.ScoreBasis;
import io.latentwatch.schemas.Severity;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/**
 * {@code alerts.range.tolerance}: a value outside the range its entity has shown is a CRITICAL anomaly at its first
 * record, even where the model reconstructs it well, and the alert names the feature.
 */
class RangeAlertsTest extends TabularModelTest {
    private ScoringHarness h;
    private final Random random = new Random(11);

    private void withRange(String basis, double tolerance) {
        Map<String, Object> config = new HashMap<>();
        config.put(LatentwatchStreamsConfig.ALERT_SCORE_CONFIG, basis);
        config.put(LatentwatchStreamsConfig.RANGE_TOLERANCE_CONFIG, tolerance);
        config.put(LatentwatchStreamsConfig.RANGE_MIN_HISTORY_CONFIG, 50);
        config.put(LatentwatchStreamsConfig.LIKELIHOOD_MIN_HISTORY_CONFIG, 50);
        h = harness(config);
    }

    /** 200 records of the training manifold with x in [-1, 1]: every feature's range is x's, times its factor. */
    private void history(String entity) {
        for (int i = 0; i < 200; i++) {
            float x = i == 0 ? -1f : i == 1 ? 1f : (float) (2 * random.nextDouble() - 1);
            h.sendJson(entity, json(entity, i * 1000L, correlated(x, 0f)), 10_000L + i);
        }
    }

    /**
     * x = 1.6 lies on the manifold the model learnt (x standard normal), so its reconstruction score stays below the
     * warning threshold; but this entity never went beyond 1 (with 10 %: 1.2).
     */
    private void sendOnManifoldBeyondTheRange(String entity, long ts) {
        h.sendJson(entity, json(entity, ts, correlated(1.6f, 0f)), 10_000L + ts);
    }

    @Test
    void aValueBeyondTheEntitysRangeIsCriticalAndNamed() {
        withRange("reconstruction", 0.1);
        history("a");
        assertThat(h.readAlerts()).isEmpty();
        sendOnManifoldBeyondTheRange("a", 300_000L);
        double score = h.readLatents().get(200).getScore();
        assertThat(score).as("reconstruction score of the on-manifold record")
                .isLessThan(bundle.manifest().thresholds().warning());
        assertThat(h.readAlerts()).singleElement().satisfies(a -> {
            assertThat(a.getEvent()).isEqualTo(AlertEvent.OPEN);
            assertThat(a.getSeverity()).isEqualTo(Severity.CRITICAL);
            assertThat(a.getScoreBasis()).isEqualTo(ScoreBasis.RECONSTRUCTION);
            assertThat(a.getScore()).isEqualTo(score);
            // x, twice and noisy grow with x; neg (-x) goes below its range's floor
            assertThat(a.getOutOfRange()).containsExactly("x", "twice", "noisy", "neg");
        });
        // the range now reaches 1.6: the same value again is inside it
        ValueRange.State stored = ValueRange.State.fromBytes(
                h.driver.<String, byte[]>getKeyValueStore(ScoringTopology.RANGE_STORE).get("a"));
        assertThat(stored.count()).isEqualTo(201);
        assertThat(stored.max()[0]).isEqualTo((double) 1.6f);
        assertThat(stored.min()[3]).isEqualTo((double) -1.6f);
    }

    @Test
    void withinTheToleranceOrWithTheCheckOffNothingAlerts() {
        withRange("reconstruction", 1.0); // accepted up to 1 + 1.0 * 2 = 3
        history("a");
        sendOnManifoldBeyondTheRange("a", 300_000L);
        assertThat(h.readAlerts()).isEmpty();
        assertThat(h.driver.getAllStateStores()).containsKey(ScoringTopology.RANGE_STORE);

        withRange("reconstruction", 0);
        history("b");
        sendOnManifoldBeyondTheRange("b", 300_000L);
        assertThat(h.readAlerts()).isEmpty();
        assertThat(h.driver.getAllStateStores()).doesNotContainKey(ScoringTopology.RANGE_STORE);
    }

    @Test
    void onTheLikelihoodAValueNeverSeenScoresTheTopOfTheScale() {
        withRange("likelihood", 0.1);
        history("a");
        List<Alert> before = h.readAlerts();
        sendOnManifoldBeyondTheRange("a", 300_000L);
        double likelihood = h.readLatents().get(200).getLikelihood();
        assertThat(likelihood).as("the record's own log score").isLessThan(0.3);
        assertThat(h.readAlerts()).filteredOn(a -> a.getEvent() == AlertEvent.OPEN).last().satisfies(a -> {
            assertThat(a.getTimestamp()).isEqualTo(300_000L);
            assertThat(a.getScore()).isEqualTo(1.0);
            assertThat(a.getSeverity()).isEqualTo(Severity.CRITICAL);
            assertThat(a.getScoreBasis()).isEqualTo(ScoreBasis.LIKELIHOOD);
            assertThat(a.getOutOfRange()).contains("x");
        });
        assertThat(before).noneMatch(a -> a.getTimestamp() == 300_000L);
    }

    @Test
    void aValueOrdinaryByDayIsOutOfRangeAtNight() {
        Map<String, Object> config = new HashMap<>();
        config.put(LatentwatchStreamsConfig.RANGE_DAILY_SLOTS_CONFIG, 2); // 00:00-12:00 and 12:00-24:00 UTC
        config.put(LatentwatchStreamsConfig.RANGE_DAILY_TOLERANCE_CONFIG, 0.5);
        config.put(LatentwatchStreamsConfig.RANGE_MIN_HISTORY_CONFIG, 20);
        h = harness(config);
        long hour = 3_600_000L;
        // ten days: x in [-1, -0.5] in the morning slot, in [0.5, 1] in the afternoon slot (on the training manifold)
        for (int day = 0; day < 10; day++) {
            for (int k = 0; k < 4; k++) {
                float x = 0.5f + k / 6f;
                long t = day * 24 * hour + k * hour;
                h.sendJson("a", json("a", t + 2 * hour, correlated(-x, 0f)), 10_000L + t);
                h.sendJson("a", json("a", t + 14 * hour, correlated(x, 0f)), 10_000L + t + 1);
            }
        }
        assertThat(h.readAlerts()).isEmpty();
        assertThat(h.driver.getAllStateStores()).containsKey(ScoringTopology.RANGE_STORE);
        long day10 = 10 * 24 * hour;
        h.sendJson("a", json("a", day10 + 15 * hour, correlated(0.9f, 0f)), 20_000L); // afternoon, as usual
        assertThat(h.readAlerts()).isEmpty();
        h.sendJson("a", json("a", day10 + 3 * hour, correlated(0.9f, 0f)), 20_001L);  // the same in the morning
        assertThat(h.readAlerts()).singleElement().satisfies(a -> {
            assertThat(a.getSeverity()).isEqualTo(Severity.CRITICAL);
            assertThat(a.getOutOfRange()).containsExactly("x", "twice", "noisy", "neg");
            assertThat(a.getScore()).isLessThan(bundle.manifest().thresholds().warning());
        });
    }

    @Test
    void aLevelNeverHeldIsOutOfRangeThoughEachValueIsOrdinary() {
        Map<String, Object> config = new HashMap<>();
        config.put(LatentwatchStreamsConfig.RANGE_LEVEL_RECORDS_CONFIG, 2);
        config.put(LatentwatchStreamsConfig.RANGE_LEVEL_TOLERANCE_CONFIG, 0.1);
        config.put(LatentwatchStreamsConfig.RANGE_MIN_HISTORY_CONFIG, 20);
        h = harness(config);
        // x swings between about -1 and 1, record after record: every level (mean of 2) lies in [-0.1, 0.1]
        float[] shift = {-0.1f, 0f, 0.1f};
        long t = 0;
        for (int k = 0; k < 100; k++, t += 2_000L) {
            h.sendJson("a", json("a", t, correlated(-1f + shift[k % 3], 0f)), 10_000L + t);
            h.sendJson("a", json("a", t + 1_000L, correlated(1f + shift[k % 3], 0f)), 10_000L + t + 1);
        }
        h.sendJson("a", json("a", t, correlated(-1f, 0f)), 10_000L + t);          // the swing goes on
        h.sendJson("a", json("a", t + 1_000L, correlated(1f, 0f)), 10_001L + t);
        assertThat(h.readAlerts()).isEmpty();
        assertThat(h.driver.getAllStateStores()).containsKey(ScoringTopology.RANGE_STORE);
        long jump = t + 2_000L;
        h.sendJson("a", json("a", jump, correlated(1f, 0f)), 10_002L + t);  // high twice in a row: level 1
        assertThat(h.readAlerts()).singleElement().satisfies(a -> {
            assertThat(a.getSeverity()).isEqualTo(Severity.CRITICAL);
            assertThat(a.getTimestamp()).isEqualTo(jump);
            assertThat(a.getOutOfRange()).contains("x", "neg");
            assertThat(a.getScore()).as("each value on the model's manifold")
                    .isLessThan(bundle.manifest().thresholds().warning());
        });
    }

    @Test
    void alertsWrittenBeforeOutOfRangeStillDecode() {
        Schema v3 = LatentwatchSerdes.historySchema("Alert-3.avsc");
        GenericRecord alert = ScoringHarness.oldAlert(v3, 5L, List.of());
        alert.put("event", new GenericData.EnumSymbol(v3.getField("event").schema(), "OPEN"));
        alert.put("durationMs", 0L);
        alert.put("scoreBasis", new GenericData.EnumSymbol(v3.getField("scoreBasis").schema(), "LIKELIHOOD"));
        alert.put("reconstructionScore", 0.5);
        Alert a = LatentwatchSerdes.decodeAlert(ScoringHarness.encode(v3, alert));
        assertThat(a.getTimestamp()).isEqualTo(5L);
        assertThat(a.getReconstructionScore()).isEqualTo(0.5);
        assertThat(a.getOutOfRange()).isEmpty();
    }

    @Test
    void configErrorsNameTheKeyAndWhatIsAllowed() {
        Map<String, Object> bad = new HashMap<>(Map.of(LatentwatchStreamsConfig.MODEL_BUNDLE_CONFIG, "/nowhere",
                LatentwatchStreamsConfig.APPLICATION_ID_CONFIG, "t"));
        bad.put(LatentwatchStreamsConfig.RANGE_TOLERANCE_CONFIG, -0.1);
        assertThatThrownBy(() -> LatentwatchStreamsConfig.fromMap(bad)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("alerts.range.tolerance").hasMessageContaining("[0,...,100]");
        bad.put(LatentwatchStreamsConfig.RANGE_TOLERANCE_CONFIG, 0.1);
        bad.put(LatentwatchStreamsConfig.RANGE_MIN_HISTORY_CONFIG, 0);
        assertThatThrownBy(() -> LatentwatchStreamsConfig.fromMap(bad)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("alerts.range.min-history").hasMessageContaining("1,...,100000000");
        bad.put(LatentwatchStreamsConfig.RANGE_MIN_HISTORY_CONFIG, 10);
        bad.put(LatentwatchStreamsConfig.RANGE_DAILY_SLOTS_CONFIG, 97);
        assertThatThrownBy(() -> LatentwatchStreamsConfig.fromMap(bad)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("alerts.range.daily-slots").hasMessageContaining("0,...,96");
        bad.put(LatentwatchStreamsConfig.RANGE_DAILY_SLOTS_CONFIG, 8);
        bad.put(LatentwatchStreamsConfig.RANGE_LEVEL_RECORDS_CONFIG, 1001);
        assertThatThrownBy(() -> LatentwatchStreamsConfig.fromMap(bad)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("alerts.range.level-records").hasMessageContaining("0,...,1000");
    }
}
