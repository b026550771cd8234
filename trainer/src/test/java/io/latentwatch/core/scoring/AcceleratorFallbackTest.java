package io.latentwatch.core.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.trainer.AutoencoderTrainer;
import io.latentwatch.trainer.TrainingConfig;
import io.latentwatch.trainer.TrainingData;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU build of ONNX Runtime lists CUDA among its providers on every host, but on one without CUDA's libraries
 * adding the provider fails ("libcublasLt.so.12: cannot open shared object file", seen with onnxruntime_gpu 1.29.0
 * on this project's CPU machines). Here the CPU build stands in for it: CUDA is listed and adding it fails the same
 * way; the session that opens instead is ONNX Runtime's own, on the CPU.
 */
class AcceleratorFallbackTest {
    private static final EnumSet<OrtProvider> GPU_BUILD = EnumSet.of(OrtProvider.CPU, OrtProvider.CUDA);
    private static final OnnxScorer.ProviderAppender CUDA_MISSING_LIBRARIES = (options, provider) -> {
        if (provider != ExecutionProvider.CPU) {
            throw new OrtException("OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library\n"
                    + "libcublasLt.so.12: cannot open shared object file");
        }
    };

    private static ModelBundle bundle;

    @BeforeAll
    static void train(@TempDir Path dir) {
        Random r = new Random(3);
        float[][] rows = new float[200][];
        for (int i = 0; i < rows.length; i++) {
            float a = (float) r.nextGaussian();
            rows[i] = new float[] {a, 2 * a, -a};
        }
        bundle = AutoencoderTrainer.train(TrainingData.fromRows("fallback", List.of("a", "b", "c"), rows),
                TrainingConfig.defaults().withHiddenLayers(List.of(4)).withLatentDim(2).withEpochs(2), dir).bundle();
    }

    private static ScorerOptions options(ExecutionProvider provider, boolean fallback) {
        return new ScorerOptions(provider, fallback, 1, 1, GraphOptimizationLevel.ALL);
    }

    @Test
    void autoSkipsACudaThatDoesNotStartAndSaysWhy() {
        try (OnnxScorer scorer = OnnxScorer.openOnThisThread(bundle, options(ExecutionProvider.AUTO, false), GPU_BUILD,
                CUDA_MISSING_LIBRARIES)) {
            assertThat(scorer.executionProvider()).isEqualTo(ExecutionProvider.CPU);
            assertThat(scorer.executionProviderReason())
                    .contains("cuda: in this ONNX Runtime build but it did not start")
                    .contains("Failed to load shared library")
                    .contains("coreml: not in this ONNX Runtime build");
            assertThat(scorer.score(new float[][] {{0.1f, 0.2f, -0.1f}}).score(0)).isFinite();
        }
    }

    @Test
    void anExplicitCudaThatDoesNotStartFailsUnlessFallbackIsAllowed() {
        assertThatThrownBy(() -> OnnxScorer.openOnThisThread(bundle, options(ExecutionProvider.CUDA, false), GPU_BUILD,
                CUDA_MISSING_LIBRARIES))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("scoring.execution-provider: cuda: in this ONNX Runtime build but it did not start")
                .hasMessageContaining("scoring.execution-provider.fallback=true");
        try (OnnxScorer scorer = OnnxScorer.openOnThisThread(bundle, options(ExecutionProvider.CUDA, true), GPU_BUILD,
                CUDA_MISSING_LIBRARIES)) {
            assertThat(scorer.executionProvider()).isEqualTo(ExecutionProvider.CPU);
            assertThat(scorer.executionProviderReason()).contains("falling back to cpu");
        }
    }
}
