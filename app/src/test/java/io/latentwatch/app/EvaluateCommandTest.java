package io.latentwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code latentwatch evaluate} and the image options of {@code train}, end to end through the CLI. */
class EvaluateCommandTest {
    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void evaluatePrintsAurocAndAuprcLastAndSeparatesObviousOutliers(@TempDir Path dir) throws Exception {
        StringBuilder sb = new StringBuilder("f0,f1,f2,label\n");
        Random r = new Random(5);
        for (int i = 0; i < 600; i++) {
            boolean anomaly = i % 30 == 0;
            double x = r.nextGaussian();
            double y = 2 * x + (anomaly ? (r.nextBoolean() ? 5 : -5) : 0);
            sb.append(x).append(',').append(y).append(',').append(-x).append(',').append(anomaly ? 1 : 0).append('\n');
        }
        Path csv = Files.writeString(dir.resolve("set.csv"), sb.toString());
        CliRun run = run("evaluate", "--data", csv.toString(), "--label-column", "label", "--model", "dense",
                "--seed", "3", "--epochs", "20", "--lr", "0.01", "--scaling", "standard", "--hidden", "8", "--latent", "1", "--score", "reconstruction",
                "--work-dir", dir.resolve("w").toString());
        assertThat(run.code()).as(run.err()).isZero();
        String[] lines = run.out().strip().split("\n");
        String last = lines[lines.length - 1];
        assertThat(last).matches("auroc=\\d\\.\\d{4} auprc=\\d\\.\\d{4}");
        double auroc = Double.parseDouble(last.replaceAll("auroc=(\\S+) .*", "$1"));
        assertThat(auroc).isGreaterThan(0.9);
    }

    @Test
    void defaultIsTheThreeScalingFiveSeedEnsembleWithLatentRankAndSeparatesFarOutRows(@TempDir Path dir) throws Exception {
        // anomalies lie on the data's line but far out along it
        StringBuilder sb = new StringBuilder("f0,f1,f2,label\n");
        Random r = new Random(11);
        for (int i = 0; i < 600; i++) {
            boolean anomaly = i % 30 == 0;
            double x = anomaly ? (r.nextBoolean() ? 6 : -6) + r.nextGaussian() * 0.1 : r.nextGaussian();
            sb.append(x).append(',').append(2 * x + 0.05 * r.nextGaussian()).append(',').append(-x)
                    .append(',').append(anomaly ? 1 : 0).append('\n');
        }
        Path csv = Files.writeString(dir.resolve("far.csv"), sb.toString());
        CliRun ensemble = run("evaluate", "--data", csv.toString(), "--seed", "3", "--epochs", "10", "--hidden", "8",
                "--latent", "1", "--work-dir", dir.resolve("e").toString());
        assertThat(ensemble.code()).as(ensemble.err()).isZero();
        assertThat(ensemble.err()).contains("scalings=[min_max, standard, robust] score=reconstruction_and_latent seeds=5");
        assertThat(Files.list(dir.resolve("e")).count()).isEqualTo(15); // one bundle per member
        assertThat(auroc(ensemble)).isGreaterThan(0.9);
    }

    private static double auroc(CliRun run) {
        String[] lines = run.out().strip().split("\n");
        return Double.parseDouble(lines[lines.length - 1].replaceAll("auroc=(\\S+) .*", "$1"));
    }

    @Test
    void evaluateRejectsBadDataWithFileAndLine(@TempDir Path dir) throws Exception {
        Path csv = Files.writeString(dir.resolve("bad.csv"), "f0,f1,label\n1,2,0\n1,oops,1\n");
        CliRun run = run("evaluate", "--data", csv.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains(csv + ":3: column 'f1' holds 'oops', not a number");
        Path noLabel = Files.writeString(dir.resolve("nolabel.csv"), "f0,f1\n1,2\n");
        assertThat(run("evaluate", "--data", noLabel.toString()).err()).contains("no column 'label'");
    }

    @Test
    void trainsAConvModelFromAnImageFolder(@TempDir Path dir) throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        Random r = new Random(1);
        for (int i = 0; i < 12; i++) {
            java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(20, 20, java.awt.image.BufferedImage.TYPE_INT_RGB);
            for (int p = 0; p < 400; p++) {
                img.setRGB(p % 20, p / 20, r.nextInt(0xFFFFFF));
            }
            javax.imageio.ImageIO.write(img, "png", images.resolve("img" + i + ".png").toFile());
        }
        Path out = dir.resolve("bundle");
        CliRun run = run("train", "--images", images.toString(), "--image-shape", "3,16,16", "--model", "conv",
                "--hidden", "4,4", "--latent", "4", "--epochs", "2", "--out", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(io.latentwatch.core.bundle.ModelBundle.load(out).manifest().inputShape()).containsExactly(3, 16, 16);
        for (String f : new String[] {"loss.png", "reconstructions.png", "latent.png", "metrics.json"}) {
            assertThat(out.resolve(f)).isNotEmptyFile();
        }
        CliRun bad = run("train", "--images", images.toString(), "--image-shape", "3,18,18", "--model", "conv",
                "--hidden", "4,4", "--out", dir.resolve("b2").toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("divisible by 4, got 18x18");
    }
}
