package io.latentwatch.observability.internals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.latentwatch.observability.LatentwatchMetrics;
import io.latentwatch.schemas.Alert;
import io.latentwatch.schemas.FeatureContribution;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The dashboard's JSON ({@code /api/dashboard}): totals, percentiles and the score histogram read from the same
 * meters {@code /metrics} exposes, so the page and Prometheus agree; the page derives rates from successive polls.
 */
public final class DashboardData {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LatentwatchMetrics metrics;
    private final Supplier<String> state;
    private final Supplier<List<Alert>> latestAlerts;

    public DashboardData(LatentwatchMetrics metrics, Supplier<String> state, Supplier<List<Alert>> latestAlerts) {
        this.metrics = metrics;
        this.state = state;
        this.latestAlerts = latestAlerts;
    }

    /** The current figures as a JSON object. */
    public String json() {
        MeterRegistry r = metrics.registry();
        ObjectNode root = JSON.createObjectNode();
        root.put("time", System.currentTimeMillis());
        root.put("state", state.get());
        ObjectNode model = root.putObject("model");
        metrics.modelServing().ifPresent(m -> model.put("id", m.modelId()).put("version", m.modelVersion())
                .put("executionProvider", m.executionProvider()));
        root.putObject("thresholds").put("warning", metrics.warningThreshold()).put("critical", metrics.criticalThreshold());

        ObjectNode totals = root.putObject("totals");
        totals.put("received", count(r, LatentwatchMetrics.RECORDS_RECEIVED));
        totals.put("scored", count(r, LatentwatchMetrics.RECORDS_SCORED));
        ObjectNode dl = totals.putObject("deadLetteredByReason");
        double dlSum = 0;
        for (Counter c : r.find(LatentwatchMetrics.RECORDS_DEAD_LETTERED).counters()) {
            dl.put(c.getId().getTag("reason"), (long) c.count());
            dlSum += c.count();
        }
        totals.put("deadLettered", (long) dlSum);
        ObjectNode alerts = totals.putObject("alerts");
        for (Counter c : r.find(LatentwatchMetrics.ALERTS).counters()) {
            alerts.put(c.getId().getTag("severity"), (long) c.count());
        }

        percentiles(root.putObject("scoringLatencyMs"), r.find(LatentwatchMetrics.SCORING_LATENCY).timer());
        percentiles(root.putObject("endToEndLagMs"), r.find(LatentwatchMetrics.END_TO_END_LAG).timer());
        DistributionSummary batch = r.find(LatentwatchMetrics.BATCH_SIZE).summary();
        root.put("meanBatchSize", batch == null ? 0 : batch.mean());
        Gauge lag = r.find(LatentwatchMetrics.CONSUMER_LAG).gauge();
        if (lag != null && Double.isFinite(lag.value())) {
            root.put("consumerLag", (long) lag.value());
        } else {
            root.putNull("consumerLag");
        }

        LatentwatchMetrics.ScoreHistogram scores = metrics.scoreHistogram();
        ObjectNode hist = root.putObject("scoreHistogram");
        hist.put("count", scores.count());
        // The histogram's own threshold bounds: the ones in force may have moved since (a swap, likelihood alerts).
        hist.put("warning", scores.warning()).put("critical", scores.critical());
        ArrayNode buckets = hist.putArray("buckets");
        for (int i = 0; i < scores.upperBounds().length; i++) {
            buckets.addObject().put("le", scores.upperBounds()[i]).put("cumulative", scores.cumulativeCounts()[i]);
        }

        ArrayNode latest = root.putArray("latestAlerts");
        for (Alert a : latestAlerts.get()) {
            ObjectNode o = latest.addObject().put("entity", a.getEntity()).put("timestamp", a.getTimestamp())
                    .put("severity", a.getSeverity().name()).put("score", a.getScore())
                    .put("event", a.getEvent().name()).put("episodeId", a.getEpisodeId())
                    .put("model", a.getModelId() + "@" + a.getModelVersion());
            ArrayNode top = o.putArray("topFeatures");
            for (FeatureContribution f : a.getTopFeatures()) {
                top.addObject().put("name", f.getName()).put("share", f.getShare())
                        .put("observed", f.getObserved()).put("reconstructed", f.getReconstructed());
            }
            ArrayNode outOfRange = o.putArray("outOfRange");
            a.getOutOfRange().forEach(outOfRange::add);
        }
        return root.toString();
    }

    private static long count(MeterRegistry r, String name) {
        Counter c = r.find(name).counter();
        return c == null ? 0 : (long) c.count();
    }

    private static void percentiles(ObjectNode into, Timer timer) {
        if (timer == null) {
            return;
        }
        HistogramSnapshot s = timer.takeSnapshot();
        into.put("count", s.count());
        for (ValueAtPercentile p : s.percentileValues()) {
            into.put(p.percentile() == 0.5 ? "p50" : p.percentile() == 0.99 ? "p99" : "p" + p.percentile(),
                    p.value(TimeUnit.MILLISECONDS));
        }
    }
}
