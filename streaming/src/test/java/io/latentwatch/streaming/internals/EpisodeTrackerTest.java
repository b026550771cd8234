package io.latentwatch.streaming.internals;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentwatch.core.bundle.Thresholds;
import io.latentwatch.core.scoring.Contribution;
import io.latentwatch.schemas.AlertEvent;
import io.latentwatch.schemas.Severity;
import io.latentwatch.streaming.EpisodePolicy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The episode rules on hand-made scores: warning above 1, critical above 2. */
class EpisodeTrackerTest {
    private static final Thresholds T = new Thresholds(1.0, 2.0, 0.99, 0.999);

    /** Feeds (timestamp, score) pairs of entity "e" and collects the events; the top feature names the score. */
    private static List<EpisodeTracker.Event> run(EpisodePolicy policy, double[][] records) {
        EpisodeTracker tracker = new EpisodeTracker(T, policy);
        EpisodeState state = null;
        List<EpisodeTracker.Event> events = new ArrayList<>();
        for (double[] r : records) {
            long ts = (long) r[0];
            double score = r[1];
            EpisodeTracker.Step step = tracker.observe(state, "e", ts, score,
                    () -> List.of(new Contribution("f@" + ts, 1.0, score, 0.0)));
            // Every state goes through its store form, as in the processor.
            state = step.state() == null ? null : EpisodeState.fromBytes(step.state().toBytes());
            if (step.event() != null) {
                events.add(step.event());
            }
        }
        return events;
    }

    @Test
    void consecutiveAnomalousRecordsAreOneEpisodeWithOpenUpdateAndClose() {
        List<EpisodeTracker.Event> events = run(EpisodePolicy.IMMEDIATE, new double[][] {
                {0, 0.5}, {10, 1.5}, {20, 1.8}, {30, 3.0}, {40, 2.5}, {50, 1.2}, {60, 0.2}, {70, 0.1}});
        assertThat(events).extracting(EpisodeTracker.Event::type)
                .containsExactly(AlertEvent.OPEN, AlertEvent.UPDATE, AlertEvent.UPDATE, AlertEvent.CLOSE);
        EpisodeTracker.Event open = events.get(0);
        assertThat(open.episodeId()).isEqualTo("e@10");
        assertThat(open.severity()).isEqualTo(Severity.WARNING);
        assertThat(open.timestamp()).isEqualTo(10);
        assertThat(open.score()).isEqualTo(1.5);
        assertThat(open.durationMs()).isZero();
        assertThat(open.topFeatures()).extracting(Contribution::name).containsExactly("f@10");
        EpisodeTracker.Event up = events.get(1);
        assertThat(up.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(up.timestamp()).isEqualTo(30);
        assertThat(up.durationMs()).isEqualTo(20);
        assertThat(events.get(2).severity()).isEqualTo(Severity.WARNING); // back down at 50
        EpisodeTracker.Event close = events.get(3);
        assertThat(close.episodeId()).isEqualTo("e@10");
        assertThat(close.timestamp()).isEqualTo(60);
        assertThat(close.episodeStart()).isEqualTo(10);
        assertThat(close.durationMs()).isEqualTo(40); // to the last anomalous record
        assertThat(close.peakScore()).isEqualTo(3.0);
        assertThat(close.score()).isEqualTo(3.0);
        assertThat(close.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(close.topFeatures()).extracting(Contribution::name).containsExactly("f@30"); // the peak record's
    }

    @Test
    void aScoreEqualToTheWarningThresholdIsNormal() {
        assertThat(run(EpisodePolicy.IMMEDIATE, new double[][] {{0, 1.0}, {1, 1.0}})).isEmpty();
        EpisodeTracker zero = new EpisodeTracker(new Thresholds(0, 0, 0.99, 0.999), EpisodePolicy.IMMEDIATE);
        assertThat(zero.observe(null, "e", 1, 0.0, List::of)).isEqualTo(new EpisodeTracker.Step(null, null));
    }

    @Test
    void aValueOutsideItsRangeOpensACriticalEpisodeWhateverTheScore() {
        EpisodeTracker tracker = new EpisodeTracker(T, EpisodePolicy.IMMEDIATE);
        EpisodeTracker.Step open = tracker.observe(null, "e", 10, 0.2, List.of("temperature"), List::of);
        assertThat(open.event().type()).isEqualTo(AlertEvent.OPEN);
        assertThat(open.event().severity()).isEqualTo(Severity.CRITICAL);
        assertThat(open.event().score()).isEqualTo(0.2);
        assertThat(open.event().outOfRange()).containsExactly("temperature");
        EpisodeTracker.Step close = tracker.observe(open.state(), "e", 20, 0.2, List::of);
        assertThat(close.event().type()).isEqualTo(AlertEvent.CLOSE);
        assertThat(close.event().severity()).isEqualTo(Severity.CRITICAL);
        assertThat(close.event().outOfRange()).isEmpty();
    }

    @Test
    void theCooldownBridgesShortRunsOfNormalRecords() {
        List<EpisodeTracker.Event> events = run(new EpisodePolicy(30, 0, 0), new double[][] {
                {0, 1.5}, {10, 0.1}, {20, 0.1}, {30, 1.6}, {40, 0.1}, {59, 0.1}, {60, 0.1}, {70, 1.7}});
        assertThat(events).extracting(EpisodeTracker.Event::type)
                .containsExactly(AlertEvent.OPEN, AlertEvent.CLOSE, AlertEvent.OPEN);
        assertThat(events.get(1).timestamp()).isEqualTo(60); // 30 after the last anomalous record, at 30
        assertThat(events.get(1).durationMs()).isEqualTo(30);
        assertThat(events.get(2).episodeId()).isEqualTo("e@70");
    }

    @Test
    void episodesShorterThanTheMinimumDurationEmitNothing() {
        List<EpisodeTracker.Event> events = run(new EpisodePolicy(0, 20, 0), new double[][] {
                {0, 1.5}, {10, 1.5}, {20, 0.1}, // lasted 10: silent
                {30, 1.5}, {40, 1.5}, {50, 3.0}, {60, 0.1}});
        assertThat(events).extracting(EpisodeTracker.Event::type).containsExactly(AlertEvent.OPEN, AlertEvent.CLOSE);
        assertThat(events.get(0).timestamp()).isEqualTo(50);
        assertThat(events.get(0).episodeStart()).isEqualTo(30);
        assertThat(events.get(0).durationMs()).isEqualTo(20);
        assertThat(events.get(0).severity()).isEqualTo(Severity.CRITICAL);
    }

    @Test
    void severityChangesAreRateLimited() {
        List<EpisodeTracker.Event> events = run(new EpisodePolicy(0, 0, 25), new double[][] {
                {0, 1.5}, {10, 3.0}, {20, 3.0}, {30, 3.0}, {40, 1.5}, {50, 3.0}, {60, 3.0}, {70, 0.1}});
        // CRITICAL from 10 is reported at 30 (25 after OPEN at 0); the dip to WARNING at 40 has passed by 60.
        assertThat(events).extracting(e -> e.type() + "@" + e.timestamp())
                .containsExactly("OPEN@0", "UPDATE@30", "CLOSE@70");
    }
}
