package io.latentwatch.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentwatch.broker.Topics;
import io.latentwatch.core.features.RejectionReason;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service as a child JVM ({@code latentwatch serve}) is killed with SIGKILL in the middle of a 100 000-record
 * stream and started again on the same state directory. Outputs are counted per input key (every input has its own
 * key): with exactly-once each key has exactly one latent code or dead letter, and each record that scored over the
 * warning threshold exactly one alert; with at-least-once no key is missing and the duplicates are reported.
 */
class CrashRecoveryTest extends TinyModelBrokerTest {
    private static final int RECORDS = 100_000;
    /** Results seen before the kill: far enough in that records are pending, far from the end. */
    private static final int KILL_AFTER = 20_000;


    @Test
    void exactlyOnceGivesEveryInputExactlyOneResultAcrossASigkill(@TempDir Path dir) throws Exception {
        Run run = crashAndRecover("exactly_once_v2", dir);
        assertThat(run.tally.notExactlyOnce(20)).as("keys whose results are not one per input record").isEmpty();
        assertThat(run.tally.resultCount()).isEqualTo(run.tally.inputCount()).isGreaterThanOrEqualTo(RECORDS);
        assertThat(run.tally.alertCount.values()).as("alerts per key").allMatch(c -> c == 1);
        assertThat(run.tally.alertCount.keySet()).as("alerted keys").isEqualTo(run.tally.overThreshold.keySet());
    }

    @Test
    void atLeastOnceLosesNothingAcrossASigkill(@TempDir Path dir) throws Exception {
        Run run = crashAndRecover("at_least_once", dir);
        long duplicates = run.tally.duplicates();
        long duplicatedKeys = run.tally.results.values().stream().filter(c -> c > 1).count();
        System.out.printf("crash_recovery guarantee=at_least_once records=%d results=%d duplicates=%d "
                        + "duplicated_keys=%d alerts=%d duplicated_alert_keys=%d%n", RECORDS, run.tally.resultCount(),
                duplicates, duplicatedKeys, run.tally.alertCount.values().stream().mapToInt(Integer::intValue).sum(),
                run.tally.alertCount.values().stream().filter(c -> c > 1).count());
        assertThat(run.tally.resultCount()).isEqualTo(RECORDS + duplicates);
        // Nothing lost: every record that scored over the threshold has at least one alert.
        assertThat(run.tally.alertCount.keySet()).as("alerted keys").isEqualTo(run.tally.overThreshold.keySet());
    }

    /** Child logs stay under target/ for a look after a failure. */
    private static Path logDir(String guarantee, String which) throws java.io.IOException {
        Path d = java.nio.file.Files.createDirectories(Path.of("target", "crash-recovery-logs"));
        return d.resolve(guarantee + "-" + which + ".log");
    }

    private record Run(Reliability.Tally tally) {}

    /** Streams, kills mid-stream, restarts, and checks what both guarantees promise: no input without a result. */
    private Run crashAndRecover(String guarantee, Path dir) throws Exception {
        String suffix = guarantee.replace('_', '-') + "-" + System.nanoTime();
        String input = "crash-obs-" + suffix;
        String latents = "crash-latents-" + suffix;
        String alerts = "crash-alerts-" + suffix;
        String dlq = "crash-dlq-" + suffix;
        Topics.create(kafka.bootstrapServers(), Map.of(), List.of(Topics.topic(input, 4)));
        try (KafkaProducer<byte[], byte[]> producer = Reliability.producer(kafka.bootstrapServers())) {
            Reliability.send(producer, input, 0, RECORDS);
        }
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < RECORDS; i++) {
            keys.add(Reliability.key(i));
        }
        List<String> serve = List.of("serve", "--bundle", bundle.directory().toString(),
                "--set", "bootstrap.servers=" + kafka.bootstrapServers(),
                "--set", "application.id=crash-" + suffix,
                "--set", "input.topic=" + input, "--set", "latents.topic=" + latents,
                "--set", "alerts.topic=" + alerts, "--set", "dlq.topic=" + dlq,
                "--set", "processing.guarantee=" + guarantee,
                "--set", "state.dir=" + dir.resolve("state"),
                "--set", "http.enabled=false",
                // The killed member never leaves the group: the restarted one waits for its session to expire.
                "--set", "kafka.session.timeout.ms=6000", "--set", "kafka.heartbeat.interval.ms=1500");

        Reliability.Tally tally = new Reliability.Tally(kafka.bootstrapServers(), input, latents, alerts, dlq,
                bundle.manifest().thresholds().warning());
        try (tally) {
            try (ServiceProcess first = ServiceProcess.start(logDir(guarantee, "first"), serve)) {
                Reliability.await(() -> {
                    tally.poll();
                    return tally.resultCount() >= KILL_AFTER || !first.isAlive();
                }, Duration.ofSeconds(120));
                assertThat(first.isAlive()).as("first instance running; log:\n" + first.logTail()).isTrue();
                assertThat(tally.resultCount()).as("results before the kill").isGreaterThanOrEqualTo(KILL_AFTER);
                first.kill();
            }
            long beforeRestart = tally.resultCount();
            assertThat(beforeRestart).as("killed mid-stream").isLessThan(RECORDS);
            try (ServiceProcess second = ServiceProcess.start(logDir(guarantee, "second"), serve)) {
                boolean complete = tally.awaitAll(keys, Duration.ofSeconds(150), Duration.ofSeconds(3));
                Set<String> missing = keys.stream().filter(k -> !tally.results.containsKey(k)).limit(10)
                        .collect(Collectors.toSet());
                assertThat(complete).as("every input has a result (%d of %d seen, e.g. missing %s; %d of these are "
                                + "in the input topic); log:%n%s", tally.results.size(), RECORDS, missing,
                        missing.stream().filter(tally.inputs::containsKey).count(), second.logTail()).isTrue();
                assertThat(second.isAlive()).as("second instance still running").isTrue();
            }
            System.out.printf("crash_recovery guarantee=%s results_before_kill=%d results=%d%n", guarantee,
                    beforeRestart, tally.resultCount());
            assertThat(tally.results.keySet()).isEqualTo(keys);
            // The malformed records are the dead letters, each with its reason.
            Set<String> malformed = new HashSet<>();
            for (int i = 0; i < RECORDS; i++) {
                if (Reliability.malformed(i)) {
                    malformed.add(Reliability.key(i));
                }
            }
            assertThat(tally.deadLetterReason.keySet()).isEqualTo(malformed);
            assertThat(Set.copyOf(tally.deadLetterReason.values())).containsExactly(RejectionReason.MALFORMED_JSON.name());
            assertThat(tally.overThreshold).as("the injected anomalies score over the threshold").hasSizeGreaterThan(100);
        }
        return new Run(tally);
    }
}
