package io.latentwatch.core.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBundleTest {
    static ModelManifest manifest(int windowLength, int inputWidth) {
        Provenance p = new Provenance("test", "0".repeat(64), 10, 1, 42, 0.1, 0.1, Map.of(), Map.of());
        return new ModelManifest(BundleContract.FORMAT_VERSION, "m", "1", "2026-01-01T00:00:00Z", "dense",
                List.of("a", "b"), windowLength, inputWidth,
                windowLength == 1 ? List.of(inputWidth) : List.of(windowLength, inputWidth / windowLength), 2,
                new Normalisation(new double[inputWidth], filled(inputWidth)), new Thresholds(1, 2, 0.99, 0.999),
                null, p);
    }

    private static double[] filled(int n) {
        double[] d = new double[n];
        java.util.Arrays.fill(d, 1);
        return d;
    }

    @Test
    void writesAndLoadsWithAMatchingHash(@TempDir Path dir) {
        byte[] model = {1, 2, 3};
        ModelBundle written = ModelBundle.write(dir.resolve("b"), manifest(1, 2), model);
        ModelBundle loaded = ModelBundle.load(dir.resolve("b"));
        assertThat(loaded.manifest()).isEqualTo(written.manifest());
        assertThat(loaded.manifest().onnxSha256()).isEqualTo(ModelBundle.sha256(model));
        assertThat(loaded.onnxModel()).containsExactly(1, 2, 3);
    }

    @Test
    void refusesAModelFileThatWasChanged(@TempDir Path dir) throws Exception {
        ModelBundle.write(dir, manifest(1, 2), new byte[] {1, 2, 3});
        Files.write(dir.resolve(BundleContract.MODEL_FILE), new byte[] {1, 2, 4});
        assertThatThrownBy(() -> ModelBundle.load(dir)).isInstanceOf(InvalidBundleException.class)
                .hasMessageContaining("SHA-256").hasMessageContaining("changed or corrupted");
    }

    @Test
    void refusesAnInconsistentManifest(@TempDir Path dir) throws Exception {
        ModelBundle.write(dir, manifest(3, 6), new byte[] {1});
        String json = Files.readString(dir.resolve(BundleContract.MANIFEST_FILE));
        Files.writeString(dir.resolve(BundleContract.MANIFEST_FILE), json.replace("\"inputWidth\" : 6", "\"inputWidth\" : 5"));
        assertThatThrownBy(() -> ModelBundle.load(dir)).isInstanceOf(InvalidBundleException.class)
                .hasMessageContaining("inputWidth is 5 but featureNames (2) x windowLength (3) = 6");
    }

    @Test
    void refusesMissingFilesAndBadJson(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> ModelBundle.load(dir.resolve("nope"))).hasMessageContaining("not a directory");
        assertThatThrownBy(() -> ModelBundle.load(dir)).hasMessageContaining("has no manifest.json");
        Files.writeString(dir.resolve(BundleContract.MANIFEST_FILE), "{not json");
        Files.write(dir.resolve(BundleContract.MODEL_FILE), new byte[] {1});
        assertThatThrownBy(() -> ModelBundle.load(dir)).isInstanceOf(InvalidBundleException.class).hasMessageContaining("cannot read");
    }

    @Test
    void elementNamesCountBackFromTheNewest() {
        assertThat(manifest(2, 4).elementNames()).containsExactly("a[t-1]", "b[t-1]", "a[t]", "b[t]");
        assertThat(manifest(1, 2).elementNames()).containsExactly("a", "b");
    }
}
