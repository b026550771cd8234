package io.latentwatch.streaming;

import static io.latentwatch.streaming.ScoringHarness.correlated;
import static io.latentwatch.streaming.ScoringHarness.header;
import static io.latentwatch.streaming.ScoringHarness.json;
import static io.latentwatch.streaming.ScoringHarness.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentwatch.core.bundle.Thresholds;
import io.latentwatch.core.features.RejectionReason;
import io.latentwatch.schemas.Alert;
import io.latentwatch.schemas.LatentCode;
import io.latentwatch.schemas.Observation;
import io.latentwatch.schemas.Severity;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/** The scoring topology on a tabular model (window length 1). */
class ScoringTopologyTest extends TabularModelTest {
    private ScoringHarness jsonHarness() {
        return harness(Map.of());
    }

    @Test
    void topologyHasOneSourceOneScorerThreeSinksAndNoStore() {
        TopologyDescription d = ScoringTopology.build(jsonHarness().settings, bundle).describe();
        assertThat(d.subtopologies()).hasSize(1);
        assertThat(d.subtopologies().iterator().next().nodes()).extracting(TopologyDescription.Node::name)
                .containsExactlyInAnyOrder(ScoringTopology.SOURCE, ScoringTopology.SCORER, ScoringTopology.LATENTS_SINK,
                        ScoringTopology.ALERTS_SINK, ScoringTopology.DEAD_LETTER_SINK);
        assertThat(d.toString()).doesNotContain(ScoringTopology.WINDOW_STORE);
    }

    @Test
    void normalRowsProduceLatentsAndNoAlerts() {
        ScoringHarness h = jsonHarness();
        int n = 40;
        for (int i = 0; i < n; i++) {
            float x = -1f + 2f * i / (n - 1); // well inside the training distribution (x ~ N(0, 1))
            h.sendJson("host-" + (i % 3), json("host-" + (i % 3), 1_000L + i, correlated(x, 0f)), 5_000L + i);
        }
        List<TestRecord<byte[], byte[]>> records = h.latentRecords();
        assertThat(records).hasSize(n);
        for (int i = 0; i < n; i++) {
            TestRecord<byte[], byte[]> r = records.get(i);
            LatentCode code = LatentwatchSerdes.decodeLatentCode(r.value());
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("host-" + (i % 3)).isEqualTo(code.getEntity());
            assertThat(r.timestamp()).isEqualTo(5_000L + i); // the input record's timestamp
            assertThat(code.getTimestamp()).isEqualTo(1_000L + i); // the observation's event time
            assertThat(code.getModelId()).isEqualTo("correlated");
            assertThat(code.getModelVersion()).isEqualTo("7");
            assertThat(code.getLatent()).hasSize(2);
            assertThat(code.getScore()).isFinite().isLessThan(bundle.manifest().thresholds().warning());
        }
        assertThat(h.alertRecords()).isEmpty();
        assertThat(h.deadLetters.isEmpty()).isTrue();
    }

    @Test
    void injectedAnomalyRaisesAnAlertNamingTheFeatureOffTheCorrelation() {
        ScoringHarness h = jsonHarness();
        float[] anomaly = correlated(0.5f, 0f);
        anomaly[1] = 5f; // twice should be 1
        h.sendJson("host-1", json("host-1", 123L, anomaly), 9_000L);

        List<TestRecord<byte[], byte[]>> alertRecords = h.alertRecords();
        assertThat(alertRecords).hasSize(1);
        TestRecord<byte[], byte[]> record = alertRecords.get(0);
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("host-1");
        assertThat(record.timestamp()).isEqualTo(9_000L);
        Alert alert = LatentwatchSerdes.decodeAlert(record.value());
        Thresholds t = bundle.manifest().thresholds();
        assertThat(alert.getEntity()).isEqualTo("host-1");
        assertThat(alert.getTimestamp()).isEqualTo(123L);
        assertThat(alert.getModelId()).isEqualTo("correlated");
        assertThat(alert.getModelVersion()).isEqualTo("7");
        assertThat(alert.getWarningThreshold()).isEqualTo(t.warning());
        assertThat(alert.getCriticalThreshold()).isEqualTo(t.critical());
        assertThat(alert.getScore()).isGreaterThanOrEqualTo(t.critical());
        assertThat(alert.getSeverity()).isEqualTo(Severity.CRITICAL);
        assertThat(alert.getTopFeatures()).hasSize(3);
        assertThat(alert.getTopFeatures().get(0).getName()).isEqualTo("twice");
        assertThat(alert.getTopFeatures().get(0).getObserved()).isEqualTo(5.0);
        assertThat(alert.getTopFeatures().get(0).getShare()).isGreaterThan(0.5);
        assertThat(alert.getTopFeatures().get(0).getShare()).isGreaterThan(alert.getTopFeatures().get(1).getShare());
        // The anomalous record gets its latent code too.
        assertThat(h.readLatents()).singleElement().satisfies(c -> assertThat(c.getScore()).isEqualTo(alert.getScore()));
    }

    @Test
    void namedFieldsAreMatchedToTheModelsFeatures() {
        ScoringHarness h = jsonHarness();
        h.sendJson("host-2", "{\"timestamp\":5,\"fields\":{\"neg\":-0.5,\"noisy\":0.5,\"twice\":1.0,\"x\":0.5,\"extra\":99}}", 10L);
        h.sendJson("host-2", "{\"timestamp\":6,\"fields\":{\"neg\":-0.5,\"noisy\":0.5,\"twice\":1.0,\"x\":-4.0}}", 11L);
        List<LatentCode> codes = h.readLatents();
        assertThat(codes).hasSize(2).allSatisfy(c -> assertThat(c.getEntity()).isEqualTo("host-2"));
        assertThat(codes.get(0).getScore()).isLessThan(bundle.manifest().thresholds().warning());
        assertThat(h.readAlerts()).singleElement().satisfies(a -> {
            assertThat(a.getTimestamp()).isEqualTo(6L);
            assertThat(a.getTopFeatures().get(0).getName()).isEqualTo("x");
        });
    }

    @Test
    void configuredThresholdsOverrideTheBundles() {
        ScoringHarness h = harness(Map.of("alerts.warning-threshold", 0.0, "alerts.critical-threshold", 1e9, "alerts.top-k", 4));
        h.sendJson("h", json("h", 1L, correlated(0.1f, 0f)), 1L);
        assertThat(h.readAlerts()).singleElement().satisfies(a -> {
            assertThat(a.getSeverity()).isEqualTo(Severity.WARNING);
            assertThat(a.getWarningThreshold()).isEqualTo(0.0);
            assertThat(a.getCriticalThreshold()).isEqualTo(1e9);
            assertThat(a.getTopFeatures()).hasSize(4);
        });
    }

    @Test
    void anOverrideThatContradictsTheBundleFailsAtBuildNamingTheKey() {
        double critical = bundle.manifest().thresholds().critical();
        StreamsSettings s = LatentwatchStreamsConfig.fromMap(Map.of("model.bundle", bundle.directory().toString(),
                "alerts.warning-threshold", critical * 10 + 1)).toSettings();
        assertThatThrownBy(() -> ScoringTopology.build(s, bundle)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("alerts.warning-threshold").hasMessageContaining("critical");
    }

    @Test
    void everyKindOfBadJsonGoesToTheDeadLetterTopicWithItsOriginalBytes() {
        ScoringHarness h = jsonHarness();
        String tooLarge = "{\"entity\":\"h\",\"values\":[1,2,2,-1],\"pad\":\"" + "x".repeat(1024 * 1024) + "\"}";
        List<BadRecord> bad = List.of(
                new BadRecord("h", utf8("{\"entity\":\"h\",\"values\":[1,2,"), RejectionReason.MALFORMED_JSON),
                new BadRecord("h", null, RejectionReason.MALFORMED_JSON),
                new BadRecord(null, utf8("{\"values\":[1,2,1,-1]}"), RejectionReason.MISSING_ENTITY),
                new BadRecord("h", utf8("{\"fields\":{\"x\":1,\"twice\":2,\"noisy\":1}}"), RejectionReason.MISSING_FIELD),
                new BadRecord("h", utf8("{\"timestamp\":1}"), RejectionReason.MISSING_FIELD),
                new BadRecord("h", utf8("{\"values\":[1,2,NaN,-1]}"), RejectionReason.NON_FINITE),
                new BadRecord("h", utf8("{\"values\":[1,Infinity,1,-1]}"), RejectionReason.NON_FINITE),
                new BadRecord("h", utf8("{\"values\":[1,2,1]}"), RejectionReason.WRONG_LENGTH),
                new BadRecord("h", utf8(tooLarge), RejectionReason.TOO_LARGE),
                // Finite float32 inputs whose normalised square overflows: the model's score is infinite.
                new BadRecord("h", utf8("{\"values\":[3.0e38,-3.0e38,3.0e38,-3.0e38]}"), RejectionReason.SCORING_FAILED));
        for (int i = 0; i < bad.size(); i++) {
            h.send(bad.get(i).key(), bad.get(i).value(), 100L + i);
        }
        assertDeadLetters(h, bad);
        assertThat(h.latentRecords()).isEmpty();
        assertThat(h.alertRecords()).isEmpty();
    }

    @Test
    void everyKindOfBadAvroGoesToTheDeadLetterTopic() {
        ScoringHarness h = harness(Map.of("input.format", "avro"));
        byte[] other = LatentwatchSerdes.latentCode().serializer().serialize("t",
                new LatentCode("h", 1L, "m", "1", List.of(1f), 0.5, null));
        byte[] good = LatentwatchSerdes.encodeObservation(new Observation("h", 1L, asList(correlated(0.2f, 0f)), null));
        List<BadRecord> bad = List.of(
                new BadRecord("h", utf8("{\"values\":[1,2,1,-1]}"), RejectionReason.MALFORMED_AVRO),
                new BadRecord("h", Arrays.copyOf(good, good.length - 5), RejectionReason.MALFORMED_AVRO),
                new BadRecord("h", other, RejectionReason.MALFORMED_AVRO),
                new BadRecord("h", null, RejectionReason.MALFORMED_AVRO),
                new BadRecord("h", LatentwatchSerdes.encodeObservation(new Observation("h", 1L, null, null)), RejectionReason.MISSING_FIELD),
                new BadRecord("h", LatentwatchSerdes.encodeObservation(new Observation("h", 1L, List.of(1f, Float.NaN, 1f, -1f), null)),
                        RejectionReason.NON_FINITE),
                new BadRecord("h", LatentwatchSerdes.encodeObservation(new Observation("h", 1L, List.of(1f, 2f), null)),
                        RejectionReason.WRONG_LENGTH));
        for (int i = 0; i < bad.size(); i++) {
            h.send(bad.get(i).key(), bad.get(i).value(), 100L + i);
        }
        assertDeadLetters(h, bad);
        h.send("h", good, 500L);
        assertThat(h.readLatents()).singleElement().satisfies(c -> assertThat(c.getEntity()).isEqualTo("h"));
    }

    @Test
    void deadLettersKeepTheInputHeadersButReplaceEarlierReasons() {
        ScoringHarness h = jsonHarness();
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace-id", utf8("abc"));
        headers.add(DeadLetterHeaders.REASON, utf8("WRONG_LENGTH")); // replayed from the dead-letter topic
        h.send("h", utf8("nope"), headers, 1L);
        TestRecord<byte[], byte[]> dl = h.deadLetters.readRecord();
        assertThat(header(dl, "trace-id")).isEqualTo("abc");
        assertThat(dl.headers().headers(DeadLetterHeaders.REASON)).hasSize(1);
        assertThat(header(dl, DeadLetterHeaders.REASON)).isEqualTo("MALFORMED_JSON");
    }

    @Test
    void keepsProcessingGoodRecordsAfterBadOnes() {
        ScoringHarness h = jsonHarness();
        int good = 0;
        for (int i = 0; i < 30; i++) {
            if (i % 3 == 1) {
                h.sendJson("h", i % 2 == 0 ? "{\"values\":[" : "{\"values\":[1,2]}", i);
            } else {
                h.sendJson("h" + i, json("h" + i, i, correlated(0.01f * i, 0f)), i);
                good++;
            }
        }
        List<LatentCode> codes = h.readLatents();
        assertThat(codes).hasSize(good);
        assertThat(codes).extracting(LatentCode::getEntity).doesNotHaveDuplicates().allMatch(e -> !e.equals("h"));
        assertThat(h.deadLetters.readRecordsToList()).hasSize(30 - good);
    }

    private static void assertDeadLetters(ScoringHarness h, List<BadRecord> bad) {
        List<TestRecord<byte[], byte[]>> dead = h.deadLetters.readRecordsToList();
        assertThat(dead).hasSize(bad.size());
        for (int i = 0; i < bad.size(); i++) {
            TestRecord<byte[], byte[]> d = dead.get(i);
            BadRecord b = bad.get(i);
            String what = "dead letter " + i + " (" + b.reason() + ", error: " + header(d, DeadLetterHeaders.ERROR) + ")";
            assertThat(header(d, DeadLetterHeaders.REASON)).as(what).isEqualTo(b.reason().name());
            assertThat(header(d, DeadLetterHeaders.ERROR)).as(what).isNotBlank();
            assertThat(d.key()).as(what).isEqualTo(b.key() == null ? null : utf8(b.key()));
            assertThat(d.value()).as(what).isEqualTo(b.value());
            assertThat(d.timestamp()).as(what).isEqualTo(100L + i);
            assertThat(header(d, DeadLetterHeaders.SOURCE_TOPIC)).as(what).isEqualTo(h.settings.inputTopic());
            assertThat(header(d, DeadLetterHeaders.SOURCE_PARTITION)).as(what).isEqualTo("0");
            assertThat(header(d, DeadLetterHeaders.SOURCE_OFFSET)).as(what).isEqualTo(Integer.toString(i));
        }
    }

    private static List<Float> asList(float[] values) {
        List<Float> out = new ArrayList<>();
        for (float v : values) {
            out.add(v);
        }
        return out;
    }

    private record BadRecord(String key, byte[] value, RejectionReason reason) {}
}
