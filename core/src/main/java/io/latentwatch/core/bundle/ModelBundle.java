package io.latentwatch.core.bundle;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.latentwatch.core.files.Directories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A verified model bundle: a directory holding {@code model.onnx} and {@code manifest.json}.
 *
 * <p>{@link #load(Path)} refuses a bundle whose manifest is inconsistent or whose graph file does not
 * have the SHA-256 the manifest names; the ONNX graph's own shapes are checked against the manifest when
 * a scorer opens it.
 */
public final class ModelBundle {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path directory;
    private final ModelManifest manifest;
    private final byte[] onnxModel;

    private ModelBundle(Path directory, ModelManifest manifest, byte[] onnxModel) {
        this.directory = directory;
        this.manifest = manifest;
        this.onnxModel = onnxModel;
    }

    /** Reads and verifies a bundle; throws {@link InvalidBundleException} saying what is wrong. */
    public static ModelBundle load(Path directory) {
        Path manifestFile = directory.resolve(BundleContract.MANIFEST_FILE);
        Path modelFile = directory.resolve(BundleContract.MODEL_FILE);
        if (!Files.isDirectory(directory)) {
            throw new InvalidBundleException("bundle " + directory + " is not a directory");
        }
        if (!Files.isRegularFile(manifestFile)) {
            throw new InvalidBundleException("bundle " + directory + " has no " + BundleContract.MANIFEST_FILE);
        }
        if (!Files.isRegularFile(modelFile)) {
            throw new InvalidBundleException("bundle " + directory + " has no " + BundleContract.MODEL_FILE);
        }
        ModelManifest manifest;
        try {
            manifest = JSON.readValue(manifestFile.toFile(), ModelManifest.class);
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidBundleException("cannot read " + manifestFile + ": " + e.getMessage(), e);
        }
        List<String> problems = manifest.problems();
        if (!problems.isEmpty()) {
            throw new InvalidBundleException("manifest " + manifestFile + " is invalid: " + String.join("; ", problems));
        }
        byte[] model;
        try {
            model = Files.readAllBytes(modelFile);
        } catch (IOException e) {
            throw new InvalidBundleException("cannot read " + modelFile + ": " + e.getMessage(), e);
        }
        String actual = sha256(model);
        if (!actual.equals(manifest.onnxSha256())) {
            throw new InvalidBundleException("SHA-256 of " + modelFile + " is " + actual + " but the manifest says "
                    + manifest.onnxSha256() + ": the model file was changed or corrupted");
        }
        return new ModelBundle(directory, manifest, model);
    }

    /**
     * Writes a bundle atomically: files go to a temporary sibling directory that is then renamed, so a crash
     * never leaves a half-written bundle at {@code directory}. The manifest's SHA-256 is set from the bytes.
     */
    public static ModelBundle write(Path directory, ModelManifest manifest, byte[] onnxModel) {
        ModelManifest complete = manifest.withOnnxSha256(sha256(onnxModel));
        List<String> problems = complete.problems();
        if (!problems.isEmpty()) {
            throw new InvalidBundleException("refusing to write an invalid manifest: " + String.join("; ", problems));
        }
        Path absolute = directory.toAbsolutePath();
        try {
            Files.createDirectories(absolute.getParent());
            Path tmp = Files.createTempDirectory(absolute.getParent(), "." + absolute.getFileName() + ".tmp");
            Files.write(tmp.resolve(BundleContract.MODEL_FILE), onnxModel);
            JSON.writeValue(tmp.resolve(BundleContract.MANIFEST_FILE).toFile(), complete);
            Directories.deleteRecursively(absolute);
            try {
                Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, absolute);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write bundle to " + directory, e);
        }
        return new ModelBundle(absolute, complete, onnxModel.clone());
    }

    /** Hex SHA-256 of some bytes. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        }
    }

    /** Hex SHA-256 of a file's content. */
    public static String sha256(Path file) {
        try {
            return sha256(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public Path directory() {
        return directory;
    }

    public ModelManifest manifest() {
        return manifest;
    }

    /** The verified ONNX graph bytes (a copy). */
    public byte[] onnxModel() {
        return onnxModel.clone();
    }

    @Override
    public String toString() {
        return "ModelBundle[" + manifest.modelId() + "@" + manifest.modelVersion() + " at " + directory + "]";
    }
}
