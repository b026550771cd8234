package io.latentwatch.observability;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlTest {
    @Test
    void findsTheMetricsAnExpressionReads() {
        assertThat(PromQl.metricNames("histogram_quantile(0.99, sum by (le) (rate(latentwatch_scoring_latency_seconds_bucket"
                + "{job=\"latentwatch\"}[$__rate_interval])))")).containsExactly("latentwatch_scoring_latency_seconds_bucket");
        assertThat(PromQl.metricNames("sum by (severity) (rate(latentwatch_alerts_total[1m])) / ignoring(severity) group_left "
                + "sum(rate(latentwatch_records_scored_total[1m]))"))
                .containsExactly("latentwatch_alerts_total", "latentwatch_records_scored_total");
        assertThat(PromQl.metricNames("max(latentwatch_model_info) by (model_id, model_version, execution_provider)"))
                .containsExactly("latentwatch_model_info");
    }
}
