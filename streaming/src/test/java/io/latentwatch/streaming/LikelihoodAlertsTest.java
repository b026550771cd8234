package io.latentwatch.streaming;

import static io.latentwatch.streaming.ScoringHarness.correlated;
import static io.latentwatch.streaming.ScoringHarness.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentwatch.core.scoring.AnomalyLikelihood;
import io.latentwatch.core.scoring.DailyLikelihood;
import io.latentwatch.schemas.Alert;
import io.latentwatch.schemas.AlertEvent;
import io.latentwatch.schemas.LatentCode;
import io.latentwatch.schemas.ScoreBasis;
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
 * {@code alerts.score=likelihood}: alerts mean "unusual for this entity lately", so an entity that drifted away from
 * the training data stops alerting once its statistics know the new level, while a sudden change still alerts.
 */
class LikelihoodAlertsTest extends TabularModelTest {
    private ScoringHarness h;
    private final Random random = new Random(7);

    private void withAlertScore(String basis) {
        withAlertScore(basis, 1, 0);
    }

    private void withAlertScore(String basis, int shortTerm, double clipStd) {
        Map<String, Object> config = new HashMap<>();
        config.put(LatentwatchStreamsConfig.LIKELIHOOD_SHORT_TERM_CONFIG, shortTerm);
        config.put(LatentwatchStreamsConfig.LIKELIHOOD_CLIP_STD_CONFIG, clipStd);
        config.put(LatentwatchStreamsConfig.ALERT_SCORE_CONFIG, basis);
        config.put(LatentwatchStreamsConfig.LIKELIHOOD_HISTORY_CONFIG, 100);
        config.put(LatentwatchStreamsConfig.LIKELIHOOD_MIN_HISTORY_CONFIG, 50);
        config.put(LatentwatchStreamsConfig.EPISODE_UPDATE_INTERVAL_MS_CONFIG, 0L);
        h = harness(config);
    }

    /** A record of the training manifold whose second feature is moved by {@code off}. */
    private void send(String entity, long ts, float off) {
        float[] v = correlated((float) random.nextGaussian(), 0.05f * (float) random.nextGaussian());
        v[1] += off;
        h.sendJson(entity, json(entity, ts, v), 10_000L + ts);
    }

    /** 300 records of "steady" (on the manifold) and of "drifted" (second feature always 1.5 off). */
    private void history() {
        for (int i = 0; i < 300; i++) {
            send("steady", i * 1000L, 0f);
            send("drifted", i * 1000L, 1.5f);
        }
    }

    @Test
    void onReconstructionScoresADriftedEntityAlertsForGood() {
        withAlertScore("reconstruction");
        history();
        List<Alert> alerts = h.readAlerts();
        assertThat(alerts).filteredOn(a -> a.getEntity().equals("drifted") && a.getEvent() == AlertEvent.OPEN).isNotEmpty();
        assertThat(alerts).allSatisfy(a -> {
            assertThat(a.getScoreBasis()).isEqualTo(ScoreBasis.RECONSTRUCTION);
            assertThat(a.getReconstructionScore()).isNull();
        });
        assertThat(h.readLatents()).allSatisfy(c -> assertThat(c.getLikelihood()).isNull());
    }

    @Test
    void onTheLikelihoodOnlyChangesAlertAndAlertsSayWhichScoreTheyCarry() {
        withAlertScore("likelihood");
        history();
        List<LatentCode> latents = h.readLatents();
        assertThat(latents).hasSize(600).allSatisfy(c -> assertThat(c.getLikelihood()).isBetween(0.0, 1.0));
        // Warm-up: the first 50 records of each entity only build its statistics.
        assertThat(latents.subList(0, 100)).allSatisfy(c -> assertThat(c.getLikelihood()).isZero());
        // By the end the drifted entity's high scores are its usual ones.
        List<Alert> late = h.readAlerts().stream()
                .filter(a -> a.getEntity().equals("drifted") && a.getTimestamp() >= 200_000L && a.getEvent() == AlertEvent.OPEN)
                .toList();
        assertThat(late).isEmpty();
        assertThat(h.driver.getKeyValueStore(ScoringTopology.LIKELIHOOD_STORE).get("drifted")).isNotNull();

        send("steady", 300_000L, 6f); // a sudden change of the steady entity
        List<Alert> alerts = h.readAlerts();
        assertThat(alerts).singleElement().satisfies(a -> {
            assertThat(a.getEntity()).isEqualTo("steady");
            assertThat(a.getEvent()).isEqualTo(AlertEvent.OPEN);
            assertThat(a.getScoreBasis()).isEqualTo(ScoreBasis.LIKELIHOOD);
            assertThat(a.getScore()).isGreaterThan(0.3).isLessThanOrEqualTo(1.0);
            assertThat(a.getWarningThreshold()).isEqualTo(0.3);
            assertThat(a.getCriticalThreshold()).isEqualTo(0.5);
            assertThat(a.getReconstructionScore()).isGreaterThan(bundle.manifest().thresholds().critical());
        });
        LatentCode code = h.readLatents().get(0);
        assertThat(code.getLikelihood()).isEqualTo(alerts.get(0).getScore());
        assertThat(code.getScore()).isEqualTo(alerts.get(0).getReconstructionScore());
    }

    @Test
    void eachRecordIsJudgedWithTheEntitysLatestScoresKeptInTheStore() {
        withAlertScore("likelihood", 5, 3);
        history();
        for (int i = 0; i < 3; i++) {
            send("steady", 300_000L + i * 1000L, 6f); // far out: clipped on its way into the statistics
        }
        List<LatentCode> latents = h.readLatents();
        assertThat(latents).hasSize(603);
        // replayed from the codes' own scores, entity by entity: the store kept each entity's latest log scores
        // from one micro-batch to the next, and the topology clipped as configured
        AnomalyLikelihood.Settings settings = new AnomalyLikelihood.Settings(100, 50, 5, 3);
        Map<String, AnomalyLikelihood.State> states = new HashMap<>();
        Map<String, AnomalyLikelihood.State> unclipped = new HashMap<>();
        int judgedWithOthers = 0;
        for (LatentCode c : latents) {
            AnomalyLikelihood.State before = states.getOrDefault(c.getEntity(), AnomalyLikelihood.State.EMPTY);
            AnomalyLikelihood.Result expected = AnomalyLikelihood.observe(settings, before, c.getScore());
            assertThat(c.getLikelihood()).isEqualTo(expected.logScore());
            states.put(c.getEntity(), expected.next());
            unclipped.put(c.getEntity(), AnomalyLikelihood.observe(new AnomalyLikelihood.Settings(100, 50, 5, 0),
                    unclipped.getOrDefault(c.getEntity(), AnomalyLikelihood.State.EMPTY), c.getScore()).next());
            if (AnomalyLikelihood.observe(new AnomalyLikelihood.Settings(100, 50, 1, 3), before, c.getScore()).logScore()
                    != expected.logScore()) {
                judgedWithOthers++;
            }
        }
        assertThat(judgedWithOthers).as("records whose judgement the short term changed").isGreaterThan(400);
        assertThat(states.get("steady").variance()).as("the far-out records widened the spread less")
                .isLessThan(unclipped.get("steady").variance());
        // stored behind the model version they belong to
        java.nio.ByteBuffer stored = java.nio.ByteBuffer.wrap(h.driver.<String, byte[]>getKeyValueStore(
                ScoringTopology.LIKELIHOOD_STORE).get("steady"));
        stored.position(Integer.BYTES + stored.getInt(0));
        byte[] state = new byte[stored.remaining()];
        stored.get(state);
        assertThat(AnomalyLikelihood.State.fromBytes(state)).isEqualTo(states.get("steady"));
    }

    @Test
    void withSlotsOfTheDayARecordMustBeUnusualForItsTimeOfDayToo() {
        Map<String, Object> config = new HashMap<>();
        config.put(LatentwatchStreamsConfig.ALERT_SCORE_CONFIG, "likelihood");
        config.put(LatentwatchStreamsConfig.LIKELIHOOD_HISTORY_CONFIG, 100);
        config.put(LatentwatchStreamsConfig.LIKELIHOOD_MIN_HISTORY_CONFIG, 20);
        config.put(LatentwatchStreamsConfig.LIKELIHOOD_DAILY_SLOTS_CONFIG, 2);
        h = harness(config);
        long hour = 3_600_000L;
        // twenty days, four records a slot: quiet nights on the manifold, busy afternoons with a noisy second feature
        for (int day = 0; day < 20; day++) {
            for (int k = 0; k < 4; k++) {
                send("a", day * 24 * hour + k * hour, 0f);
                send("a", day * 24 * hour + 12 * hour + k * hour, 2f * (float) random.nextGaussian());
            }
        }
        List<LatentCode> latents = h.readLatents();
        assertThat(latents).hasSize(160);
        // replayed from the codes' own scores: the smaller of the entity's log score and its slot's
        AnomalyLikelihood.Settings settings = new AnomalyLikelihood.Settings(100, 20, 1, 0);
        AnomalyLikelihood.State entity = AnomalyLikelihood.State.EMPTY;
        DailyLikelihood.State daily = DailyLikelihood.State.EMPTY;
        int loweredBySlot = 0;
        for (LatentCode c : latents) {
            AnomalyLikelihood.Result e = AnomalyLikelihood.observe(settings, entity, c.getScore());
            DailyLikelihood.Result d = DailyLikelihood.observe(settings, 2, daily, c.getScore(), c.getTimestamp());
            assertThat(c.getLikelihood()).isEqualTo(Math.min(e.logScore(), d.logScore()));
            if (d.logScore() < e.logScore()) {
                loweredBySlot++;
            }
            entity = e.next();
            daily = d.next();
        }
        assertThat(loweredBySlot).as("records whose slot found them less unusual than the entity did").isPositive();
        assertThat(daily.slots()).extracting(AnomalyLikelihood.State::count).containsExactly(80L, 80L);
        assertThat(h.driver.getAllStateStores()).containsKey(ScoringTopology.DAILY_LIKELIHOOD_STORE);
    }

    @Test
    void latentCodesAndAlertsWrittenBeforeTheseFieldsStillDecode() {
        Schema v1 = LatentwatchSerdes.historySchema("LatentCode-1.avsc");
        GenericRecord code = new GenericData.Record(v1);
        code.put("entity", "h");
        code.put("timestamp", 3L);
        code.put("modelId", "m");
        code.put("modelVersion", "1");
        code.put("latent", List.of(0.5f));
        code.put("score", 0.25);
        LatentCode c = LatentwatchSerdes.decodeLatentCode(ScoringHarness.encode(v1, code));
        assertThat(c.getScore()).isEqualTo(0.25);
        assertThat(c.getLikelihood()).isNull();

        Schema v2 = LatentwatchSerdes.historySchema("Alert-2.avsc");
        GenericRecord alert = ScoringHarness.oldAlert(v2, 4L, List.of());
        alert.put("event", new GenericData.EnumSymbol(v2.getField("event").schema(), "CLOSE"));
        alert.put("durationMs", 9L);
        Alert a = LatentwatchSerdes.decodeAlert(ScoringHarness.encode(v2, alert));
        assertThat(a.getEvent()).isEqualTo(AlertEvent.CLOSE);
        assertThat(a.getScoreBasis()).isEqualTo(ScoreBasis.RECONSTRUCTION);
        assertThat(a.getReconstructionScore()).isNull();
    }

    @Test
    void configErrorsNameTheKeyAndWhatIsAllowed() {
        Map<String, Object> base = Map.of(LatentwatchStreamsConfig.MODEL_BUNDLE_CONFIG, "/nowhere",
                LatentwatchStreamsConfig.APPLICATION_ID_CONFIG, "t");
        Map<String, Object> bad = new HashMap<>(base);
        bad.put(LatentwatchStreamsConfig.ALERT_SCORE_CONFIG, "zscore");
        assertThatThrownBy(() -> LatentwatchStreamsConfig.fromMap(bad)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("alerts.score").hasMessageContaining("reconstruction").hasMessageContaining("likelihood");
        Map<String, Object> crossed = new HashMap<>(base);
        crossed.put(LatentwatchStreamsConfig.LIKELIHOOD_WARNING_CONFIG, 0.6);
        assertThatThrownBy(() -> LatentwatchStreamsConfig.fromMap(crossed).toSettings()).isInstanceOf(ConfigException.class)
                .hasMessageContaining("alerts.likelihood.warning").hasMessageContaining("alerts.likelihood.critical");
        Map<String, Object> outOfRange = new HashMap<>(base);
        outOfRange.put(LatentwatchStreamsConfig.LIKELIHOOD_HISTORY_CONFIG, 1);
        assertThatThrownBy(() -> LatentwatchStreamsConfig.fromMap(outOfRange)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("alerts.likelihood.history");
        Map<String, Object> halfClip = new HashMap<>(base);
        halfClip.put(LatentwatchStreamsConfig.LIKELIHOOD_CLIP_STD_CONFIG, 0.5);
        assertThatThrownBy(() -> LatentwatchStreamsConfig.fromMap(halfClip)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("alerts.likelihood.clip-std").hasMessageContaining("0, or [1.0,...,100.0]");
        Map<String, Object> noShortTerm = new HashMap<>(base);
        noShortTerm.put(LatentwatchStreamsConfig.LIKELIHOOD_SHORT_TERM_CONFIG, 0);
        assertThatThrownBy(() -> LatentwatchStreamsConfig.fromMap(noShortTerm)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("alerts.likelihood.short-term").hasMessageContaining("1,...,1000");
        Map<String, Object> slots = new HashMap<>(base);
        slots.put(LatentwatchStreamsConfig.LIKELIHOOD_DAILY_SLOTS_CONFIG, 97);
        assertThatThrownBy(() -> LatentwatchStreamsConfig.fromMap(slots)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("alerts.likelihood.daily-slots").hasMessageContaining("0,...,96");
    }
}
