package io.latentwatch.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code latentwatch nab} on two real NAB series (skipped without the NAB data beside the checkout): its last line,
 * and results in NAB's layout that NAB's own scorer could read.
 */
class NabCommandTest {
    private static final Path NAB = Path.of("..", "..", "shared", "data", "nab").toAbsolutePath().normalize();

    @Test
    void scoresTwoSeriesAndWritesNabsResultsLayout(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isDirectory(NAB.resolve("data")), "NAB data not found at " + NAB + ": skipped");
        CliRun run = CliRun.of("nab", "--data", NAB.resolve("data").toString(), "--labels",
                NAB.resolve("labels/combined_windows.json").toString(), "--series",
                "exchange-3_cpc_results,art_daily_jumpsup", "--epochs", "10", "-o", dir.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.lastLine()).matches("nab_standard=-?\\d+\\.\\d nab_low_fp=-?\\d+\\.\\d nab_low_fn=-?\\d+\\.\\d");
        assertThat(run.out()).contains("profile=standard official=").contains("alerts=")
                .contains("category=realAdExchange");

        Path csv = dir.resolve("latentwatch/realAdExchange/latentwatch_exchange-3_cpc_results.csv");
        List<String> lines = Files.readAllLines(csv);
        List<String> input = Files.readAllLines(NAB.resolve("data/realAdExchange/exchange-3_cpc_results.csv"));
        assertThat(lines.get(0)).isEqualTo("timestamp,value,anomaly_score,label");
        assertThat(lines).hasSameSizeAs(input);
        long labelled = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            assertThat(Double.parseDouble(f[2])).isBetween(0.0, 1.0);
            labelled += Integer.parseInt(f[3]);
        }
        assertThat(labelled).as("records inside the labelled windows").isPositive();
        assertThat(Files.exists(dir.resolve("latentwatch/artificialWithAnomaly/latentwatch_art_daily_jumpsup.csv"))).isTrue();
    }

    @Test
    void aSeedReproducesItsRunAndAnotherSeedTrainsOtherModels(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isDirectory(NAB.resolve("data")), "NAB data not found at " + NAB + ": skipped");
        List<String> first = continuousScores(dir.resolve("a"), "1");
        assertThat(continuousScores(dir.resolve("b"), "1")).isEqualTo(first);
        assertThat(continuousScores(dir.resolve("c"), "2")).isNotEqualTo(first);
    }

    /** The anomaly_score column of one series' results: every record's likelihood, from models trained with seed. */
    private static List<String> continuousScores(Path out, String seed, String... more) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("nab", "--data", NAB.resolve("data").toString(), "--labels",
                NAB.resolve("labels/combined_windows.json").toString(), "--series", "exchange-3_cpc_results",
                "--epochs", "5", "--seed", seed, "--anomaly-score", "continuous", "-o", out.toString()));
        args.addAll(List.of(more));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.code()).as(run.err()).isZero();
        return Files.readAllLines(out.resolve("latentwatch/realAdExchange/latentwatch_exchange-3_cpc_results.csv"))
                .stream().map(l -> l.split(",")[2]).toList();
    }

    @Test
    void trainingNoiseReachesEveryModelAndBadLevelsAreRefused(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isDirectory(NAB.resolve("data")), "NAB data not found at " + NAB + ": skipped");
        // the default trains denoising autoencoders; without noise the same seed trains other models
        assertThat(continuousScores(dir.resolve("plain"), "1", "--noise", "none"))
                .isNotEqualTo(continuousScores(dir.resolve("denoising"), "1"));
        CliRun run = CliRun.of("nab", "--data", NAB.resolve("data").toString(), "--labels",
                NAB.resolve("labels/combined_windows.json").toString(), "--noise", "masking", "--noise-level", "1",
                "-o", dir.resolve("bad").toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--noise-level").contains("masking probability must be below 1");
    }

    @Test
    void aWarningAboveTheCriticalThresholdIsRefused(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isDirectory(NAB.resolve("data")), "NAB data not found at " + NAB + ": skipped");
        CliRun run = CliRun.of("nab", "--data", NAB.resolve("data").toString(), "--labels",
                NAB.resolve("labels/combined_windows.json").toString(), "--likelihood-warning", "0.95",
                "-o", dir.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--likelihood-warning (0.95) must not be above --likelihood-critical (0.9)");
    }

    @Test
    void ensembleWindowsThatCannotFormAnEnsembleAreRefused(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isDirectory(NAB.resolve("data")), "NAB data not found at " + NAB + ": skipped");
        for (String windows : new String[] {"32", "16,16", "16,x", "0,32"}) {
            CliRun run = CliRun.of("nab", "--data", NAB.resolve("data").toString(), "--labels",
                    NAB.resolve("labels/combined_windows.json").toString(), "--ensemble-windows", windows,
                    "-o", dir.toString());
            assertThat(run.code()).as(windows).isEqualTo(2);
            assertThat(run.err()).contains("--ensemble-windows takes two or more distinct positive window lengths")
                    .contains("got " + windows);
        }
    }

    @Test
    void retrainEverySwapsModelsTrainedOnSeenRecordsIntoTheRunningTopology(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isDirectory(NAB.resolve("data")), "NAB data not found at " + NAB + ": skipped");
        CliRun run = CliRun.of("nab", "--data", NAB.resolve("data").toString(), "--labels",
                NAB.resolve("labels/combined_windows.json").toString(), "--series", "exchange-3_cpc_results",
                "--epochs", "5", "--retrain-every", "0.3", "-o", dir.toString());
        assertThat(run.code()).as(run.err()).isZero();
        // trained on the probationary 15 %, retrained at 45 % and 75 %: two swaps, each to a new version, and the
        // topology's latent codes say which version scored them
        assertThat(run.err()).contains("exchange-3_cpc_results").contains("model_versions=1,2,3\n");
        assertThat(run.lastLine()).matches("nab_standard=-?\\d+\\.\\d nab_low_fp=-?\\d+\\.\\d nab_low_fn=-?\\d+\\.\\d");
        assertThat(Files.readAllLines(dir.resolve("latentwatch/realAdExchange/latentwatch_exchange-3_cpc_results.csv")))
                .hasSameSizeAs(Files.readAllLines(NAB.resolve("data/realAdExchange/exchange-3_cpc_results.csv")));
    }
}
