package io.latentwatch.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.latentwatch.core.bundle.BundleContract;
import io.latentwatch.core.bundle.InvalidBundleException;
import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.bundle.ModelManifest;
import io.latentwatch.core.bundle.Normalisation;
import io.latentwatch.core.bundle.Provenance;
import io.latentwatch.core.bundle.Thresholds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {
    private static ModelBundle bundle(Path dir, String version, byte[] model) {
        Provenance p = new Provenance("test", "0".repeat(64), 10, 1, 42, 0.1, 0.1, Map.of("latentDim", "2"), Map.of());
        ModelManifest m = new ModelManifest(BundleContract.FORMAT_VERSION, "m", version, "2026-01-01T00:00:00Z", "dense",
                List.of("a", "b"), 1, 2, List.of(2), 2, new Normalisation(new double[2], new double[] {1, 1}),
                new Thresholds(1, 2, 0.99, 0.999), null, p);
        return ModelBundle.write(dir.resolve("scratch-" + version), m, model);
    }

    @Test
    void registersPromotesAndRollsBack(@TempDir Path dir) {
        ModelRegistry registry = ModelRegistry.open(dir.resolve("reg"));
        assertThat(registry.nextVersion("m")).isEqualTo("1");
        registry.register(bundle(dir, "1", new byte[] {1}), "first");
        registry.register(bundle(dir, "2", new byte[] {2}), "second");
        registry.register(bundle(dir, "10", new byte[] {10}), "third");
        assertThat(registry.versions("m")).containsExactly("1", "2", "10");
        assertThat(registry.nextVersion("m")).isEqualTo("11");
        assertThat(registry.modelIds()).containsExactly("m");
        assertThat(registry.promoted("m")).isEmpty();

        registry.promote("m", "1", "initial", Map.of());
        registry.promote("m", "2", "better", Map.of("auroc", "0.9"));
        registry.promote("m", "10", "better again", Map.of());
        assertThat(registry.promoted("m")).contains("10");

        RegistryDecision back = registry.rollback("m", null);
        assertThat(back.version()).isEqualTo("2");
        assertThat(back.action()).isEqualTo(RegistryDecision.Action.ROLLED_BACK);
        assertThat(registry.promoted("m")).contains("2");
        assertThat(registry.rollback("m", "again").version()).isEqualTo("1");
        assertThatThrownBy(() -> registry.rollback("m", "too far")).isInstanceOf(RegistryException.class)
                .hasMessageContaining("no earlier promoted version");

        List<RegistryDecision> log = registry.decisions("m");
        assertThat(log).extracting(RegistryDecision::action).containsExactly(
                RegistryDecision.Action.REGISTERED, RegistryDecision.Action.REGISTERED, RegistryDecision.Action.REGISTERED,
                RegistryDecision.Action.PROMOTED, RegistryDecision.Action.PROMOTED, RegistryDecision.Action.PROMOTED,
                RegistryDecision.Action.ROLLED_BACK, RegistryDecision.Action.ROLLED_BACK);
        assertThat(log.get(4).figures()).containsEntry("auroc", "0.9").containsKey("sha256");
    }

    @Test
    void versionsAreImmutable(@TempDir Path dir) {
        ModelRegistry registry = ModelRegistry.open(dir.resolve("reg"));
        registry.register(bundle(dir, "1", new byte[] {1}), "first");
        assertThatThrownBy(() -> registry.register(bundle(dir, "1", new byte[] {9}), "again"))
                .isInstanceOf(RegistryException.class).hasMessageContaining("immutable");
        assertThat(registry.bundle("m", "1").onnxModel()).containsExactly(1);
    }

    @Test
    void aHalfWrittenBundleIsNeverAVersionAndCannotBePromoted(@TempDir Path dir) throws Exception {
        ModelRegistry registry = ModelRegistry.open(dir.resolve("reg"));
        registry.register(bundle(dir, "1", new byte[] {1}), "first");
        registry.promote("m", "1", "initial", Map.of());
        // What a crash in the middle of ModelBundle.write leaves: a hidden temporary directory with part of a bundle.
        Path versions = registry.bundleDirectory("m", "1").getParent();
        Path leftover = Files.createDirectory(versions.resolve(".2.tmp12345"));
        Files.write(leftover.resolve(BundleContract.MODEL_FILE), new byte[] {2});
        assertThat(registry.versions("m")).containsExactly("1");
        assertThatThrownBy(() -> registry.promote("m", ".2.tmp12345", "x", Map.of()))
                .isInstanceOf(RegistryException.class);

        // A version directory whose files do not match its manifest (copied in by hand, then damaged) is refused too.
        Path damaged = Files.createDirectory(versions.resolve("3"));
        Files.copy(registry.bundleDirectory("m", "1").resolve(BundleContract.MANIFEST_FILE),
                damaged.resolve(BundleContract.MANIFEST_FILE));
        Files.write(damaged.resolve(BundleContract.MODEL_FILE), new byte[] {3});
        assertThatThrownBy(() -> registry.promote("m", "3", "x", Map.of())).isInstanceOf(InvalidBundleException.class)
                .hasMessageContaining("SHA-256");
        assertThat(registry.promoted("m")).contains("1");
    }

    @Test
    void thePointerIsReplacedByRenameAndLeavesNoTemporaryFiles(@TempDir Path dir) throws Exception {
        ModelRegistry registry = ModelRegistry.open(dir.resolve("reg"));
        registry.register(bundle(dir, "1", new byte[] {1}), "first");
        registry.register(bundle(dir, "2", new byte[] {2}), "second");
        registry.promote("m", "1", "a", Map.of());
        registry.promote("m", "2", "b", Map.of());
        try (Stream<Path> all = Files.walk(registry.root())) {
            assertThat(all.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("."));
        }
        assertThat(Files.readString(registry.root().resolve("m").resolve("promoted"))).isEqualTo("2\n");
    }

    @Test
    void refusesUnsafeNames(@TempDir Path dir) {
        ModelRegistry registry = ModelRegistry.open(dir.resolve("reg"));
        assertThatThrownBy(() -> registry.versions("../etc")).isInstanceOf(RegistryException.class)
                .hasMessageContaining("model id '../etc'");
        assertThatThrownBy(() -> registry.bundle("m", "nope")).isInstanceOf(RegistryException.class)
                .hasMessageContaining("no version nope");
    }
}
