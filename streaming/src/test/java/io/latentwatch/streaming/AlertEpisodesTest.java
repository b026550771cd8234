package io.latentwatch.streaming;

import static io.latentwatch.streaming.ScoringHarness.correlated;
import static io.latentwatch.streaming.ScoringHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.latentwatch.core.bundle.Thresholds;
import io.latentwatch.schemas.Alert;
import io.latentwatch.schemas.AlertEvent;
import io.latentwatch.schemas.Severity;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/** Alert episodes through the scoring topology, on the tabular model (x, 2x, x + noise, -x). */
class AlertEpisodesTest extends TabularModelTest {
    private ScoringHarness h;

    @Override
    ScoringHarness harness(Map<String, Object> overrides) {
        Map<String, Object> config = new HashMap<>(overrides);
        config.putIfAbsent(LatentwatchStreamsConfig.EPISODE_UPDATE_INTERVAL_MS_CONFIG, 0L);
        h = super.harness(config);
        return h;
    }

    /** A record whose second feature is off the line by {@code off} (0: normal). */
    private static String record(String entity, long ts, float off) {
        float[] v = correlated(0.5f, 0f);
        v[1] += off;
        return json(entity, ts, v);
    }

    private void send(String entity, long ts, float off) {
        h.sendJson(entity, record(entity, ts, off), 10_000L + ts);
    }

    @Test
    void aRunOfAnomalousRecordsIsOneEpisodeAndItsStateLivesInTheStoreUntilClose() {
        harness(Map.of());
        KeyValueStore<String, byte[]> store = h.driver.getKeyValueStore(ScoringTopology.EPISODE_STORE);
        send("h1", 1_000, 0f);
        send("h1", 2_000, 5f);
        send("h2", 2_500, 0f); // another entity: no effect on h1's episode
        send("h1", 3_000, 8f);
        send("h1", 4_000, 6f);
        assertThat(store.get("h1")).isNotNull();
        assertThat(store.get("h2")).isNull();
        send("h1", 5_000, 0f);
        assertThat(store.get("h1")).isNull();

        List<Alert> alerts = h.readAlerts();
        assertThat(alerts).extracting(Alert::getEvent).containsExactly(AlertEvent.OPEN, AlertEvent.CLOSE);
        Alert open = alerts.get(0);
        Alert close = alerts.get(1);
        assertThat(open.getEpisodeId()).isEqualTo("h1@2000").isEqualTo(close.getEpisodeId());
        assertThat(open.getTimestamp()).isEqualTo(2_000L);
        assertThat(open.getEpisodeStart()).isEqualTo(2_000L);
        assertThat(open.getDurationMs()).isZero();
        assertThat(open.getTopFeatures().get(0).getName()).isEqualTo("twice");
        assertThat(open.getTopFeatures().get(0).getObserved()).isEqualTo(6.0);
        assertThat(close.getTimestamp()).isEqualTo(5_000L);
        assertThat(close.getEpisodeStart()).isEqualTo(2_000L);
        assertThat(close.getDurationMs()).isEqualTo(2_000L);
        assertThat(close.getPeakScore()).isEqualTo(close.getScore()).isGreaterThan(open.getScore());
        // The peak record (off by 8) is the one CLOSE explains.
        assertThat(close.getTopFeatures().get(0).getObserved()).isEqualTo(9.0);
        assertThat(close.getTopFeatures().get(0).getReconstructed()).isLessThan(9.0);
        assertThat(h.alertRecords()).isEmpty();
    }

    @Test
    void severityChangesAreUpdatesWithTheSameEpisodeId() {
        // Thresholds between the scores of small and large deviations, found with the model itself.
        harness(Map.of());
        send("s", 1, 0.6f);
        send("s", 2, 6f);
        List<Double> scores = h.readLatents().stream().map(c -> c.getScore()).toList();
        h.readAlerts();
        h.close();
        double warning = scores.get(0) / 2;
        double critical = (scores.get(0) + scores.get(1)) / 2;
        harness(Map.of(LatentwatchStreamsConfig.WARNING_THRESHOLD_CONFIG, warning,
                LatentwatchStreamsConfig.CRITICAL_THRESHOLD_CONFIG, critical));
        send("s", 10, 0.6f);
        send("s", 20, 6f);
        send("s", 30, 0.6f);
        send("s", 40, 0f);
        List<Alert> alerts = h.readAlerts();
        assertThat(alerts).extracting(a -> a.getEvent() + " " + a.getSeverity()).containsExactly(
                "OPEN WARNING", "UPDATE CRITICAL", "UPDATE WARNING", "CLOSE CRITICAL");
        assertThat(alerts).extracting(Alert::getEpisodeId).containsOnly("s@10");
        assertThat(alerts.get(1).getDurationMs()).isEqualTo(10L);
        assertThat(alerts.get(1).getPeakScore()).isEqualTo(alerts.get(1).getScore());
    }

    @Test
    void anEpisodeOfAnEntityThatFellSilentClosesOnceOthersMovedOnByTheIdleTime() {
        for (long idleClose : new long[] {0L, 10_000L}) {
            harness(Map.of(LatentwatchStreamsConfig.EPISODE_IDLE_CLOSE_MS_CONFIG, idleClose));
            send("quiet", 1_000, 6f);
            for (long t = 2_000; t <= 20_000; t += 1_000) {
                send("busy", t, 0f);
            }
            List<Alert> alerts = h.readAlerts();
            if (idleClose == 0) {
                assertThat(alerts).as("without idle-close-ms the episode waits for the entity").extracting(Alert::getEvent)
                        .containsExactly(AlertEvent.OPEN);
                h.close();
                continue;
            }
            assertThat(alerts).extracting(a -> a.getEntity() + " " + a.getEvent()).containsExactly("quiet OPEN", "quiet CLOSE");
            Alert close = alerts.get(1);
            assertThat(close.getEpisodeId()).isEqualTo("quiet@1000");
            assertThat(close.getTimestamp()).isBetween(11_000L, 20_000L);
            assertThat(close.getDurationMs()).isZero();
            assertThat(h.driver.getKeyValueStore(ScoringTopology.EPISODE_STORE).get("quiet")).isNull();
            send("quiet", 21_000, 0f); // back, and normal: nothing more to close
            assertThat(h.readAlerts()).isEmpty();
        }
    }

    @Test
    void cooldownAndMinimumDurationComeFromTheConfig() {
        harness(Map.of(LatentwatchStreamsConfig.EPISODE_COOLDOWN_MS_CONFIG, 2_000L,
                LatentwatchStreamsConfig.EPISODE_MIN_DURATION_MS_CONFIG, 1_000L));
        send("c", 0, 6f); // a blip: never lasts 1 s
        send("c", 5_000, 0f);
        send("c", 10_000, 6f);
        send("c", 11_000, 0f); // within the cooldown
        send("c", 12_000, 6f); // lasted 2 s: OPEN
        send("c", 13_000, 0f);
        send("c", 14_000, 0f); // 2 s after the last anomalous record: CLOSE
        List<Alert> alerts = h.readAlerts();
        assertThat(alerts).extracting(a -> a.getEvent() + "@" + a.getTimestamp()).containsExactly("OPEN@12000", "CLOSE@14000");
        assertThat(alerts.get(0).getEpisodeStart()).isEqualTo(10_000L);
        assertThat(alerts.get(1).getDurationMs()).isEqualTo(2_000L);
    }

    @Test
    void aScoreAtTheWarningThresholdIsNotAnAlert() {
        harness(Map.of());
        send("t", 1, 0f);
        double score = h.readLatents().get(0).getScore();
        h.close();
        harness(Map.of(LatentwatchStreamsConfig.WARNING_THRESHOLD_CONFIG, score,
                LatentwatchStreamsConfig.CRITICAL_THRESHOLD_CONFIG, score));
        send("t", 2, 0f); // the very same record: score equal to both thresholds
        assertThat(h.readLatents()).singleElement().satisfies(c -> assertThat(c.getScore()).isEqualTo(score));
        assertThat(h.alertRecords()).isEmpty();
        send("t", 3, 6f);
        assertThat(h.readAlerts()).singleElement().satisfies(a -> assertThat(a.getSeverity()).isEqualTo(Severity.CRITICAL));
    }

    @Test
    void alertsWrittenWithTheSchemaBeforeEpisodesStillDecode() {
        Schema v1 = LatentwatchSerdes.historySchema("Alert-1.avsc");
        GenericRecord feature = new GenericData.Record(v1.getField("topFeatures").schema().getElementType());
        feature.put("name", "cpu");
        feature.put("share", 0.9);
        feature.put("observed", 3.0);
        feature.put("reconstructed", 1.0);
        byte[] bytes = ScoringHarness.encode(v1, ScoringHarness.oldAlert(v1, 42L, List.of(feature)));

        Alert a = LatentwatchSerdes.decodeAlert(bytes);
        assertThat(a.getEntity()).isEqualTo("h");
        assertThat(a.getSeverity()).isEqualTo(Severity.CRITICAL);
        assertThat(a.getTopFeatures().get(0).getName()).isEqualTo("cpu");
        assertThat(a.getEvent()).isEqualTo(AlertEvent.OPEN);
        assertThat(a.getEpisodeId()).isNull();
        assertThat(a.getDurationMs()).isZero();
        assertThat(LatentwatchSerdes.alert().deserializer().deserialize("alerts", bytes)).isEqualTo(a);
        assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).doesNotContain("episode");
    }

    @Test
    void thresholdsInForceAreTheBundlesByDefault() {
        Thresholds t = bundle.manifest().thresholds();
        harness(Map.of());
        send("d", 1, 6f);
        assertThat(h.readAlerts()).singleElement().satisfies(a -> {
            assertThat(a.getWarningThreshold()).isEqualTo(t.warning());
            assertThat(a.getScore()).isGreaterThan(t.critical());
        });
    }
}
