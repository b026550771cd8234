package io.latentwatch.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentwatch.core.bundle.InvalidBundleException;
import io.latentwatch.core.bundle.ModelBundle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What can be checked without a broker: construction, start-up checks, closing. */
class LatentwatchStreamsAppTest {
    @TempDir
    static Path models;
    static ModelBundle bundle;

    @TempDir
    Path state;

    @BeforeAll
    static void train() {
        bundle = ScoringHarness.trainTabular(models);
    }

    private LatentwatchStreamsConfig config(Map<String, Object> overrides) {
        Map<String, Object> m = new HashMap<>();
        m.put("model.bundle", bundle.directory().toString());
        m.put("state.dir", state.toString());
        m.put("bootstrap.servers", "127.0.0.1:1"); // nothing listens: construction must not connect
        m.putAll(overrides);
        return LatentwatchStreamsConfig.fromMap(m);
    }

    @Test
    void preparesWithoutConnectingAndClosesCleanly() throws Exception {
        try (LatentwatchStreamsApp app = new LatentwatchStreamsApp(config(Map.of()))) {
            assertThat(app.state()).isEqualTo(KafkaStreams.State.CREATED);
            assertThat(app.bundle().manifest().modelId()).isEqualTo("correlated");
            assertThat(app.topology().describe().toString()).contains(ScoringTopology.SCORER);
            assertThatThrownBy(() -> app.awaitRunning(Duration.ofMillis(10))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("not been started");
            assertThat(app.close(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void aMissingExecutionProviderFailsAtConstructionNamingTheKeys() {
        assertThatThrownBy(() -> new LatentwatchStreamsApp(config(Map.of("scoring.execution-provider", "coreml"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("scoring.execution-provider").hasMessageContaining("scoring.execution-provider.fallback");
        try (LatentwatchStreamsApp app = new LatentwatchStreamsApp(config(Map.of("scoring.execution-provider", "coreml",
                "scoring.execution-provider.fallback", true)))) {
            assertThat(app.state()).isEqualTo(KafkaStreams.State.CREATED);
        }
    }

    @Test
    void scorersOpenFromThreadsWithTheDefaultOneMebibyteStack() throws Exception {
        // In a plain JVM, OnnxScorer.open on such a thread dies with SIGSEGV inside ONNX Runtime 1.29; stream
        // threads have such stacks. (Inside Surefire's JVM it does not reproduce, hence the fresh JVM.)
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                OpenScorerMain.class.getName(), bundle.directory().toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("score=");
    }

    @Test
    void aMissingBundleFailsAtConstruction() {
        assertThatThrownBy(() -> new LatentwatchStreamsApp(config(Map.of("model.bundle", state.resolve("nope").toString()))))
                .isInstanceOf(InvalidBundleException.class).hasMessageContaining("nope");
    }
}
