package io.latentwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentwatch.core.bundle.ModelBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    /** {@code rows} points of the line (x, 2x, -x), as data.csv in {@code dir}; with a label column of 0s if asked. */
    private static Path lineCsv(Path dir, int rows, boolean label) throws java.io.IOException {
        StringBuilder sb = new StringBuilder(label ? "a,b,c,label\n" : "a,b,c\n");
        Random r = new Random(rows);
        for (int i = 0; i < rows; i++) {
            double x = r.nextGaussian();
            sb.append(x).append(',').append(2 * x).append(',').append(-x).append(label ? ",0\n" : "\n");
        }
        return Files.writeString(dir.resolve("data.csv"), sb.toString());
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"demo", "train", "serve", "broker", "nab", "retrain", "evaluate"}) {
            CliRun r = run(command, "--help");
            assertThat(r.code()).as(command).isZero();
            assertThat(r.out()).as(command).contains("Usage: latentwatch " + command).contains("--help");
        }
        assertThat(run("--help").out()).contains("demo").contains("train").contains("serve");
    }

    @Test
    void everyHelpTextFormatsCleanly() {
        for (String[] command : new String[][] {{"demo"}, {"train"}, {"evaluate"}, {"serve"}, {"bench", "streaming"},
                {"nab"}, {"broker"}, {"models"}, {"models", "register"}, {"models", "promote"}, {"retrain"}}) {
            String[] args = java.util.Arrays.copyOf(command, command.length + 1);
            args[command.length] = "--help";
            CliRun r = CliRun.of(args);
            assertThat(r.code()).as(String.join(" ", command)).isZero();
            assertThat(r.out() + r.err()).as(String.join(" ", command)).doesNotContain("Could not format")
                    .doesNotContain("WARN");
        }
    }

    @Test
    void benchStreamingHasHelpNamingItsLastLine() {
        CliRun r = run("bench", "streaming", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Usage: latentwatch bench streaming").contains("--records")
                .contains("--batch-size").contains("scoring_vs_passthrough=<r> batched_vs_single=<r> p99_ms_at_10k=<x>");
    }

    @Test
    void unknownOptionsAreUsageErrors() {
        CliRun r = run("train", "--csv", "x.csv", "--out", "b", "--no-such-option");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Unknown option");
    }

    @Test
    void trainsABundleFromCsv(@TempDir Path dir) throws Exception {
        Path csv = lineCsv(dir, 400, true);
        Path out = dir.resolve("bundle");
        CliRun run = run("train", "--csv", csv.toString(), "--label-column", "label", "--out", out.toString(),
                "--hidden", "8", "--latent", "2", "--epochs", "3", "--model-id", "cli");
        assertThat(run.code()).isZero();
        ModelBundle bundle = ModelBundle.load(out);
        assertThat(bundle.manifest().featureNames()).containsExactly("a", "b", "c");
        assertThat(out.resolve("loss.png")).isNotEmptyFile();
        assertThat(out.resolve("metrics.json")).isNotEmptyFile();
    }

    @Test
    void aTrainedBundleIsRegisteredAndPromotedAndRetrainSchedulesAreChecked(@TempDir Path dir) throws Exception {
        Path csv = lineCsv(dir, 300, false);
        Path out = dir.resolve("bundle");
        assertThat(run("train", "--csv", csv.toString(), "--out", out.toString(), "--hidden", "8", "--latent", "2",
                "--epochs", "2", "--model-id", "reg").code()).isZero();
        String registry = dir.resolve("registry").toString();
        CliRun registered = CliRun.of("models", "register", "--registry", registry, "--bundle", out.toString(), "--promote");
        assertThat(registered.code()).as(registered.err()).isZero();
        assertThat(registered.out()).contains("registered reg@1").contains("promoted reg@1");
        assertThat(CliRun.of("models", "list", "--registry", registry).out()).contains("reg\t1\t*");
        CliRun again = CliRun.of("models", "register", "--registry", registry, "--bundle", out.toString());
        assertThat(again.code()).isNotZero();
        assertThat(again.err()).contains("already has version 1");

        CliRun badCron = CliRun.of("retrain", "--registry", registry, "--model", "reg", "--csv", csv.toString(),
                "--cron", "61 * * * *");
        assertThat(badCron.code()).isEqualTo(2);
        assertThat(badCron.err()).contains("cron minute").contains("0-59");
        CliRun both = CliRun.of("retrain", "--registry", registry, "--model", "reg", "--csv", csv.toString(),
                "--cron", "0 3 * * *", "--every", "1h");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("not both");
        CliRun badZone = CliRun.of("retrain", "--registry", registry, "--model", "reg", "--csv", csv.toString(),
                "--cron", "0 3 * * *", "--zone", "Mars/Olympus");
        assertThat(badZone.code()).isEqualTo(2);
        assertThat(badZone.err()).contains("--zone");
    }

    /** series.csv in dir: 600 five-minute records of a noisy sine (period 40 records). */
    private static Path sineSeriesCsv(Path dir, long seed) throws java.io.IOException {
        StringBuilder sb = new StringBuilder("timestamp,value\n");
        java.time.LocalDateTime t = java.time.LocalDateTime.of(2026, 1, 1, 0, 0);
        Random r = new Random(seed);
        for (int i = 0; i < 600; i++) {
            sb.append(t.plusMinutes(5L * i).toString().replace('T', ' ')).append(":00,")
                    .append(Math.sin(i * 2 * Math.PI / 40) + 0.05 * r.nextGaussian()).append('\n');
        }
        return Files.writeString(dir.resolve("series.csv"), sb.toString());
    }

    @Test
    void aWindowedModelRetrainsFromASeriesCsv(@TempDir Path dir) throws Exception {
        Path series = sineSeriesCsv(dir, 6);
        Path out = dir.resolve("bundle");
        assertThat(run("train", "--series", series.toString(), "--window", "8", "--fraction", "0.5", "--epochs", "3",
                "--model-id", "w", "--out", out.toString()).code()).isZero();
        String registry = dir.resolve("registry").toString();
        assertThat(CliRun.of("models", "register", "--registry", registry, "--bundle", out.toString(), "--promote").code())
                .isZero();
        CliRun retrain = CliRun.of("retrain", "--registry", registry, "--model", "w", "--csv", series.toString(),
                "--work-dir", dir.resolve("work").toString());
        assertThat(retrain.code()).as(retrain.err()).isZero();
        assertThat(retrain.out()).contains("run=1 model=w challenger=2").contains("trainingRows=");
    }

    @Test
    void anEnsembleOfWindowLengthsTrainsIntoOneBundleAndRetrainsAsOne(@TempDir Path dir) throws Exception {
        Path series = sineSeriesCsv(dir, 7);
        Path out = dir.resolve("bundle");
        CliRun train = run("train", "--series", series.toString(), "--ensemble-windows", "4,8", "--epochs", "3",
                "--model-id", "e", "--out", out.toString());
        assertThat(train.code()).as(train.err()).isZero();
        String manifest = Files.readString(out.resolve("manifest.json"));
        assertThat(manifest).contains("ensemble[4, 8] of dense").contains("\"windowLength\" : 8");
        String registry = dir.resolve("registry").toString();
        assertThat(CliRun.of("models", "register", "--registry", registry, "--bundle", out.toString(), "--promote").code())
                .isZero();
        CliRun retrain = CliRun.of("retrain", "--registry", registry, "--model", "e", "--csv", series.toString(),
                "--work-dir", dir.resolve("work").toString());
        assertThat(retrain.code()).as(retrain.err()).isZero();
        assertThat(Files.readString(dir.resolve("work/e-2/manifest.json"))).contains("ensemble[4, 8] of dense");

        CliRun one = run("train", "--series", series.toString(), "--ensemble-windows", "8", "--out",
                dir.resolve("b1").toString());
        assertThat(one.code()).isEqualTo(2);
        assertThat(one.err()).contains("--ensemble-windows takes two or more distinct positive window lengths")
                .contains("got 8");
        CliRun table = run("train", "--csv", series.toString(), "--ensemble-windows", "4,8", "--out",
                dir.resolve("b2").toString());
        assertThat(table.code()).isEqualTo(2);
        assertThat(table.err()).contains("--ensemble-windows needs --series");
    }

    @Test
    void badCsvIsAClearErrorWithFileAndLine(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "a,b\n1,2\n3,oops\n");
        CliRun r = run("train", "--csv", csv.toString(), "--out", dir.resolve("b").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("bad.csv:3: column 'b' holds 'oops', not a number");
    }
}
