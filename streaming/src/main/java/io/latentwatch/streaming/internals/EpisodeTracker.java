package io.latentwatch.streaming.internals;

import io.latentwatch.core.bundle.Thresholds;
import io.latentwatch.core.scoring.Contribution;
import io.latentwatch.schemas.AlertEvent;
import io.latentwatch.schemas.Severity;
import io.latentwatch.streaming.EpisodePolicy;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Turns the scores of one entity's records, in processing order, into alert-episode events. Pure: the caller
 * keeps the {@link EpisodeState} (in a state store) and emits the events.
 *
 * <ul>
 *   <li>A record is anomalous when {@link Thresholds#isAnomalous its score is above the warning threshold}, or when
 *       some of its values lie outside the range its entity has shown (then CRITICAL); the first one starts an
 *       episode, identified by entity and its event time.</li>
 *   <li>OPEN is emitted once the episode has lasted {@code minDurationMillis} (at once when 0), with the triggering
 *       record's severity, score and top features.</li>
 *   <li>UPDATE is emitted by an anomalous record whose severity differs from the last one reported, at least
 *       {@code updateIntervalMillis} after the episode's previous event.</li>
 *   <li>CLOSE is emitted by the first normal record at least {@code cooldownMillis} after the last anomalous one,
 *       with the episode's peak score, peak severity and the peak record's top features. An episode that never
 *       reached OPEN ends silently. An entity that falls silent keeps its episode open until its next record, or,
 *       with {@code idleCloseMillis}, until {@link #closeIfIdle} finds it idle.</li>
 * </ul>
 */
public final class EpisodeTracker {
    /**
     * One event to emit.
     *
     * @param type OPEN, UPDATE or CLOSE
     * @param severity the triggering record's (OPEN, UPDATE) or the episode's highest (CLOSE)
     * @param timestamp event time of the triggering record
     * @param score the triggering record's score (OPEN, UPDATE) or the peak score (CLOSE)
     * @param topFeatures the triggering record's (OPEN, UPDATE) or the peak record's (CLOSE) contributions
     * @param episodeId the episode's id
     * @param episodeStart event time of the episode's first anomalous record
     * @param peakScore highest score of the episode so far
     * @param durationMs from the first anomalous record to the triggering one (CLOSE: to the last anomalous one)
     * @param outOfRange the triggering record's features outside their seen range (OPEN, UPDATE); empty for CLOSE
     */
    public record Event(AlertEvent type, Severity severity, long timestamp, double score, List<Contribution> topFeatures,
                        String episodeId, long episodeStart, double peakScore, long durationMs, List<String> outOfRange) {
        public Event {
            outOfRange = List.copyOf(outOfRange);
        }
    }

    /**
     * The outcome of one record.
     *
     * @param state the entity's episode afterwards; null when none is running
     * @param event what to emit; null for nothing
     */
    public record Step(EpisodeState state, Event event) {}

    private final Thresholds thresholds;
    private final EpisodePolicy policy;

    public EpisodeTracker(Thresholds thresholds, EpisodePolicy policy) {
        this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /**
     * Closes the episode of an entity that fell silent: when {@code idleCloseMillis} is set and the task's newest event
     * time {@code now} is at least that far past the episode's last anomalous record. An announced episode emits
     * CLOSE (timestamp {@code now}); one that never reached OPEN ends silently.
     *
     * @return null when the episode is not idle (it stays as it is)
     */
    public Step closeIfIdle(EpisodeState current, long now) {
        if (policy.idleCloseMillis() <= 0 || now - current.lastAnomalous() < policy.idleCloseMillis()) {
            return null;
        }
        if (!current.announced()) {
            return new Step(null, null);
        }
        return new Step(null, close(current, now));
    }

    /** The CLOSE of an announced episode, decided at {@code timestamp}: its peak, from its start to its last anomaly. */
    private static Event close(EpisodeState episode, long timestamp) {
        return new Event(AlertEvent.CLOSE, episode.peakSeverity(), timestamp, episode.peakScore(), episode.peakFeatures(),
                episode.id(), episode.start(), episode.peakScore(), episode.lastAnomalous() - episode.start(), List.of());
    }

    /** Applies one scored record whose values all lie within their range. */
    public Step observe(EpisodeState current, String entity, long timestamp, double score,
                        Supplier<List<Contribution>> topFeatures) {
        return observe(current, entity, timestamp, score, List.of(), topFeatures);
    }

    /**
     * Applies one scored record.
     *
     * @param current the entity's running episode, or null
     * @param outOfRange the record's features outside the range its entity has shown; any makes it anomalous and
     *     CRITICAL whatever its score
     * @param topFeatures the record's top contributions, asked for only when the record is anomalous
     */
    public Step observe(EpisodeState current, String entity, long timestamp, double score, List<String> outOfRange,
                        Supplier<List<Contribution>> topFeatures) {
        if (outOfRange.isEmpty() && !thresholds.isAnomalous(score)) {
            if (current == null) {
                return new Step(null, null);
            }
            if (policy.cooldownMillis() > 0 && timestamp - current.lastAnomalous() < policy.cooldownMillis()) {
                return new Step(current, null);
            }
            if (!current.announced()) {
                return new Step(null, null);
            }
            return new Step(null, close(current, timestamp));
        }
        Severity severity = !outOfRange.isEmpty() || thresholds.isCritical(score) ? Severity.CRITICAL : Severity.WARNING;
        List<Contribution> features = topFeatures.get();
        EpisodeState s;
        if (current == null) {
            s = new EpisodeState(entity + "@" + timestamp, timestamp, timestamp, score, severity, features, null, timestamp);
        } else {
            boolean peak = score > current.peakScore();
            s = new EpisodeState(current.id(), current.start(), Math.max(current.lastAnomalous(), timestamp),
                    peak ? score : current.peakScore(),
                    severity.compareTo(current.peakSeverity()) > 0 ? severity : current.peakSeverity(),
                    peak ? features : current.peakFeatures(), current.reportedSeverity(), current.lastEventAt());
        }
        AlertEvent type;
        if (!s.announced()) {
            if (s.lastAnomalous() - s.start() < policy.minDurationMillis()) {
                return new Step(s, null);
            }
            type = AlertEvent.OPEN;
        } else if (severity != s.reportedSeverity() && timestamp - s.lastEventAt() >= policy.updateIntervalMillis()) {
            type = AlertEvent.UPDATE;
        } else {
            return new Step(s, null);
        }
        s = new EpisodeState(s.id(), s.start(), s.lastAnomalous(), s.peakScore(), s.peakSeverity(), s.peakFeatures(),
                severity, timestamp);
        return new Step(s, new Event(type, severity, timestamp, score, features, s.id(), s.start(), s.peakScore(),
                Math.max(0, timestamp - s.start()), outOfRange));
    }
}
