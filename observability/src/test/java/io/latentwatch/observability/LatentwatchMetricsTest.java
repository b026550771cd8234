package io.latentwatch.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentwatch.core.features.RejectionReason;
import io.latentwatch.schemas.Severity;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LatentwatchMetricsTest {

    @Test
    void exposesWhatTheProcessorReportsInPrometheusFormat() {
        try (LatentwatchMetrics m = new LatentwatchMetrics(0.5, 2.0)) {
            for (int i = 0; i < 10; i++) {
                m.recordReceived();
            }
            m.batchScored(8, 1_500_000);
            for (int i = 0; i < 8; i++) {
                m.recordScored(i < 6 ? 0.1 : 3.0, 40);
            }
            m.alertEmitted(Severity.CRITICAL);
            m.episodeEvent("OPEN", Severity.CRITICAL);
            m.alertEmitted(Severity.CRITICAL);
            m.episodeEvent("CLOSE", Severity.CRITICAL);
            m.deadLettered(RejectionReason.MALFORMED_JSON);
            m.deadLettered(RejectionReason.WRONG_LENGTH);
            m.microBatchFlushed(8, 12, "size");
            m.modelServing("m", "3", "cpu");
            String text = m.scrape();
            Map<String, Double> samples = PrometheusText.parse(text);
            assertThat(samples).containsEntry("latentwatch_records_received_total", 10.0)
                    .containsEntry("latentwatch_records_scored_total", 8.0)
                    .containsEntry("latentwatch_alerts_total{severity=\"CRITICAL\"}", 2.0)
                    .containsEntry("latentwatch_alerts_total{severity=\"WARNING\"}", 0.0)
                    .containsEntry("latentwatch_alert_episode_events_total{event=\"OPEN\",severity=\"CRITICAL\"}", 1.0)
                    .containsEntry("latentwatch_alert_episode_events_total{event=\"CLOSE\",severity=\"CRITICAL\"}", 1.0)
                    .containsEntry("latentwatch_alert_episode_events_total{event=\"UPDATE\",severity=\"WARNING\"}", 0.0)
                    .containsEntry("latentwatch_records_dead_lettered_total{reason=\"MALFORMED_JSON\"}", 1.0)
                    .containsEntry("latentwatch_records_dead_lettered_total{reason=\"TOO_LARGE\"}", 0.0)
                    .containsEntry("latentwatch_model_info{execution_provider=\"cpu\",model_id=\"m\",model_version=\"3\"}", 1.0)
                    .containsEntry("latentwatch_alert_threshold{severity=\"WARNING\"}", 0.5)
                    .containsEntry("latentwatch_score_bucket{le=\"0.5\"}", 6.0)
                    .containsEntry("latentwatch_score_bucket{le=\"2.0\"}", 6.0)
                    .containsEntry("latentwatch_score_count", 8.0)
                    .containsEntry("latentwatch_scoring_latency_seconds_count", 1.0)
                    .containsEntry("latentwatch_batch_size_count", 1.0)
                    .containsEntry("latentwatch_micro_batch_size_count{trigger=\"size\"}", 1.0)
                    .containsKey("latentwatch_end_to_end_lag_seconds_bucket{le=\"+Inf\"}")
                    .containsKey("jvm_memory_used_bytes{area=\"heap\",id=\"G1 Eden Space\"}");
            assertThat(samples.get("latentwatch_scoring_latency_seconds_sum")).isEqualTo(0.0015);
        }
    }

    @Test
    void theThresholdGaugeFollowsTheThresholdsInForce() {
        try (LatentwatchMetrics m = new LatentwatchMetrics(1, 2)) {
            m.thresholdsInForce(3, 4);
            Map<String, Double> samples = PrometheusText.parse(m.scrape());
            assertThat(samples).containsEntry("latentwatch_alert_threshold{severity=\"WARNING\"}", 3.0)
                    .containsEntry("latentwatch_alert_threshold{severity=\"CRITICAL\"}", 4.0);
            assertThat(m.warningThreshold()).isEqualTo(3.0);
            // The histogram's buckets cannot move: it keeps the bounds it was built with, and says which they are.
            assertThat(m.scoreHistogram().warning()).isEqualTo(1.0);
            assertThat(m.scoreHistogram().critical()).isEqualTo(2.0);
            assertThat(m.scoreHistogram().upperBounds()).contains(1.0, 2.0);
        }
    }

    @Test
    void aModelSwapReplacesTheInfoSeries() {
        try (LatentwatchMetrics m = new LatentwatchMetrics(1, 2)) {
            m.modelServing("m", "1", "cpu");
            m.modelServing("m", "2", "cuda");
            Map<String, Double> samples = PrometheusText.parse(m.scrape());
            assertThat(samples.keySet().stream().filter(k -> k.startsWith("latentwatch_model_info")))
                    .containsExactly("latentwatch_model_info{execution_provider=\"cuda\",model_id=\"m\",model_version=\"2\"}");
            assertThat(m.modelServing()).hasValue(new LatentwatchMetrics.ModelServing("m", "2", "cuda"));
        }
    }

    @Test
    void scoreBucketsHoldBothThresholdsExactly() {
        assertThat(LatentwatchMetrics.scoreBuckets(0.02, 0.05)).contains(0.02, 0.05).isSorted();
        assertThat(java.util.Arrays.stream(LatentwatchMetrics.scoreBuckets(0, 0)).boxed()).isNotEmpty().allMatch(b -> b > 0);
    }

    @Test
    void refusesThresholdsOutOfOrder() {
        assertThatThrownBy(() -> new LatentwatchMetrics(2, 1)).hasMessageContaining("warning=2.0 critical=1.0");
        assertThatThrownBy(() -> new LatentwatchMetrics(Double.NaN, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
