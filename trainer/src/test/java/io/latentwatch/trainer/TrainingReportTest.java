package io.latentwatch.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentwatch.trainer.report.TrainingReport;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingReportTest {
    @Test
    void writesALossPlotAndMetrics(@TempDir Path dir) throws Exception {
        TrainingData data = TrainingData.fromRows("synthetic", List.of("a", "b", "c", "d"),
                AutoencoderTrainerTest.correlatedRows(300, 5));
        TrainingResult result = AutoencoderTrainer.train(data, AutoencoderTrainerTest.small().withEpochs(4), dir.resolve("b"));
        List<Path> files = TrainingReport.write(result, dir);
        BufferedImage png = ImageIO.read(files.get(0).toFile());
        assertThat(png.getWidth()).isEqualTo(800);
        // not a blank image: the two curves and axes put several colours on it
        long colours = java.util.stream.IntStream.range(0, png.getWidth() * png.getHeight())
                .map(i -> png.getRGB(i % png.getWidth(), i / png.getWidth())).distinct().count();
        assertThat(colours).isGreaterThan(10);
        assertThat(Files.readString(files.get(1))).contains("\"validationLoss\"").contains("\"warningThreshold\"");
    }

    @Test
    void writesAllFourFilesForLabelledImages(@TempDir Path dir) throws Exception {
        TrainingData data = TrainingData.fromImages(VariantsTest.blobs(80, 1, 8, 8, 3));
        TrainingConfig config = AutoencoderTrainerTest.small().withScaling(TrainingConfig.Scaling.PIXELS)
                .withOutputActivation(TrainingConfig.OutputActivation.SIGMOID).withEpochs(3);
        TrainingResult result = AutoencoderTrainer.train(data, config, dir.resolve("b"));
        List<Path> files = TrainingReport.write(result, data, java.util.Map.of("testReconstructionMse", 0.5), dir);
        assertThat(files).extracting(p -> p.getFileName().toString())
                .containsExactly("loss.png", "reconstructions.png", "latent.png", "metrics.json");
        for (Path png : files.subList(0, 3)) {
            BufferedImage img = ImageIO.read(png.toFile());
            long colours = java.util.stream.IntStream.range(0, img.getWidth() * img.getHeight())
                    .map(i -> img.getRGB(i % img.getWidth(), i / img.getWidth())).distinct().count();
            assertThat(colours).as(png.toString()).isGreaterThan(5);
        }
        BufferedImage grid = ImageIO.read(files.get(1).toFile());
        assertThat(grid.getHeight()).isLessThan(grid.getWidth()); // 10 columns, 2 rows
        String metrics = Files.readString(files.get(3));
        assertThat(metrics).contains("\"epochSeconds\"").contains("\"testReconstructionMse\" : 0.5")
                .contains("\"sampleReconstructionMse\"");
    }
}
