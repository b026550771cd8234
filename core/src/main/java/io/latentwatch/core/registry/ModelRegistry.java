package io.latentwatch.core.registry;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.latentwatch.core.bundle.InvalidBundleException;
import io.latentwatch.core.bundle.ModelBundle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Versioned model bundles on a file system path (a local disk or a shared volume), with the promoted version of
 * each model and a log of every decision.
 *
 * <pre>
 * &lt;root&gt;/&lt;modelId&gt;/versions/&lt;version&gt;/   a bundle (model.onnx, manifest.json with SHA-256 and provenance)
 * &lt;root&gt;/&lt;modelId&gt;/promoted                 the promoted version, one line
 * &lt;root&gt;/&lt;modelId&gt;/decisions/000001.json    one {@link RegistryDecision} per file, in order
 * </pre>
 *
 * <p>Every write goes to a temporary name starting with {@code .} and is then renamed, so a crash leaves either the
 * old state or the new one: a half-written bundle lives only under a hidden temporary name, which is never listed
 * as a version and so can never be promoted. {@link #promote} also loads and verifies the bundle (manifest and
 * SHA-256) before it moves the pointer. One writer per model at a time (a scheduled retrainer, or an operator);
 * readers may run anywhere.
 */
public final class ModelRegistry {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    /** Model ids and versions become directory names: keep them to a safe alphabet. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final String VERSIONS = "versions";
    private static final String PROMOTED = "promoted";
    private static final String DECISIONS = "decisions";

    private final Path root;

    private ModelRegistry(Path root) {
        this.root = root;
    }

    /** A registry rooted at {@code root}; the directory is created when missing. */
    public static ModelRegistry open(Path root) {
        Path absolute = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(absolute);
        } catch (IOException e) {
            throw new RegistryException("cannot create the registry directory " + absolute + ": " + e, e);
        }
        return new ModelRegistry(absolute);
    }

    public Path root() {
        return root;
    }

    /** Model ids that have at least one version. */
    public List<String> modelIds() {
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> NAME.matcher(n).matches()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
    }

    /** The versions of a model, oldest first (numeric versions in numeric order); hidden temporary names are not versions. */
    public List<String> versions(String modelId) {
        Path dir = modelDir(modelId).resolve(VERSIONS);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(dir)) {
            return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> NAME.matcher(n).matches()).sorted(VERSION_ORDER).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** The next free numeric version: one above the largest numeric version, or {@code 1}. */
    public String nextVersion(String modelId) {
        long max = 0;
        for (String v : versions(modelId)) {
            if (v.matches("\\d{1,18}")) {
                max = Math.max(max, Long.parseLong(v));
            }
        }
        return Long.toString(max + 1);
    }

    /** Directory of a version's bundle (which may not exist). */
    public Path bundleDirectory(String modelId, String version) {
        return modelDir(modelId).resolve(VERSIONS).resolve(checkName("version", version));
    }

    /** Loads and verifies a version's bundle. */
    public ModelBundle bundle(String modelId, String version) {
        Path dir = bundleDirectory(modelId, version);
        if (!Files.isDirectory(dir)) {
            throw new RegistryException("model " + modelId + " has no version " + version + " (versions: "
                    + versions(modelId) + ")");
        }
        return ModelBundle.load(dir);
    }

    /**
     * Adds a bundle as a new version (its manifest's model id and version), written atomically, and logs it.
     *
     * @throws RegistryException when that version already exists
     */
    public ModelBundle register(ModelBundle bundle, String reason) {
        String modelId = bundle.manifest().modelId();
        String version = bundle.manifest().modelVersion();
        Path dir = bundleDirectory(modelId, version);
        if (Files.exists(dir)) {
            throw new RegistryException("model " + modelId + " already has version " + version + " at " + dir
                    + "; versions are immutable");
        }
        ModelBundle written = ModelBundle.write(dir, bundle.manifest(), bundle.onnxModel());
        record(new RegistryDecision(modelId, version, RegistryDecision.Action.REGISTERED, System.currentTimeMillis(),
                reason, Map.of("sha256", written.manifest().onnxSha256())));
        return written;
    }

    /** The promoted version of a model, if any. */
    public Optional<String> promoted(String modelId) {
        Path pointer = modelDir(modelId).resolve(PROMOTED);
        if (!Files.isRegularFile(pointer)) {
            return Optional.empty();
        }
        try {
            String v = Files.readString(pointer, StandardCharsets.UTF_8).strip();
            return v.isEmpty() ? Optional.empty() : Optional.of(v);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pointer, e);
        }
    }

    /**
     * Makes {@code version} the promoted one, after loading and verifying its bundle, and logs the decision.
     *
     * @throws RegistryException when the version does not exist
     * @throws InvalidBundleException when its bundle fails verification (the pointer is left as it was)
     */
    public RegistryDecision promote(String modelId, String version, String reason, Map<String, String> figures) {
        return movePointer(modelId, version, RegistryDecision.Action.PROMOTED, reason, figures);
    }

    /**
     * Promotes the version that was promoted before the current one (a rollback is a promote of an older version).
     *
     * @throws RegistryException when there is no earlier promotion to return to
     */
    public RegistryDecision rollback(String modelId, String reason) {
        Deque<String> history = promotionHistory(modelId);
        if (history.size() < 2) {
            throw new RegistryException("model " + modelId + " has no earlier promoted version to roll back to"
                    + (history.isEmpty() ? " (nothing was ever promoted)" : " (only " + history.peek() + " was promoted)"));
        }
        String current = history.pop();
        String target = history.peek();
        return movePointer(modelId, target, RegistryDecision.Action.ROLLED_BACK,
                reason == null || reason.isBlank() ? "rolled back from " + current : reason, Map.of("from", current));
    }

    /** Records a decision that moves no pointer (e.g. a challenger that lost). */
    public RegistryDecision reject(String modelId, String version, String reason, Map<String, String> figures) {
        RegistryDecision d = new RegistryDecision(modelId, version, RegistryDecision.Action.REJECTED,
                System.currentTimeMillis(), reason, figures);
        record(d);
        return d;
    }

    /** The decision log of a model, oldest first. */
    public List<RegistryDecision> decisions(String modelId) {
        Path dir = modelDir(modelId).resolve(DECISIONS);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().matches("\\d{6,}\\.json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        List<RegistryDecision> out = new ArrayList<>(files.size());
        for (Path f : files) {
            try {
                out.add(JSON.readValue(f.toFile(), RegistryDecision.class));
            } catch (IOException e) {
                throw new RegistryException("cannot read decision " + f + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    private RegistryDecision movePointer(String modelId, String version, RegistryDecision.Action action, String reason,
                                         Map<String, String> figures) {
        ModelBundle bundle = bundle(modelId, version); // verifies manifest and SHA-256 before anything moves
        if (!bundle.manifest().modelId().equals(modelId) || !bundle.manifest().modelVersion().equals(version)) {
            throw new RegistryException("bundle " + bundle.directory() + " says it is " + bundle.manifest().modelId()
                    + "@" + bundle.manifest().modelVersion() + ", not " + modelId + "@" + version);
        }
        writeAtomically(modelDir(modelId).resolve(PROMOTED), (version + "\n").getBytes(StandardCharsets.UTF_8));
        Map<String, String> all = new java.util.LinkedHashMap<>(figures == null ? Map.of() : figures);
        all.put("sha256", bundle.manifest().onnxSha256());
        RegistryDecision d = new RegistryDecision(modelId, version, action, System.currentTimeMillis(), reason, all);
        record(d);
        return d;
    }

    /** Versions promoted so far, the current one on top, replaying PROMOTED and ROLLED_BACK decisions. */
    private Deque<String> promotionHistory(String modelId) {
        Deque<String> stack = new ArrayDeque<>();
        for (RegistryDecision d : decisions(modelId)) {
            if (d.action() == RegistryDecision.Action.PROMOTED) {
                if (!d.version().equals(stack.peek())) {
                    stack.push(d.version());
                }
            } else if (d.action() == RegistryDecision.Action.ROLLED_BACK) {
                while (!stack.isEmpty() && !stack.peek().equals(d.version())) {
                    stack.pop();
                }
                if (stack.isEmpty()) {
                    stack.push(d.version());
                }
            }
        }
        return stack;
    }

    private void record(RegistryDecision decision) {
        Path dir = modelDir(decision.modelId()).resolve(DECISIONS);
        try {
            Files.createDirectories(dir);
            long next;
            try (Stream<Path> s = Files.list(dir)) {
                next = s.filter(p -> p.getFileName().toString().matches("\\d{6,}\\.json")).count() + 1;
            }
            writeAtomically(dir.resolve(String.format("%06d.json", next)), JSON.writeValueAsBytes(decision));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record a decision in " + dir, e);
        }
    }

    /** Writes to a hidden temporary sibling, then renames it over {@code target}. */
    static void writeAtomically(Path target, byte[] bytes) {
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
            try {
                Files.write(tmp, bytes);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    private Path modelDir(String modelId) {
        return root.resolve(checkName("model id", modelId));
    }

    private static String checkName(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new RegistryException(what + " '" + name + "' must be 1 to 128 characters of [A-Za-z0-9._-], "
                    + "starting with a letter or digit");
        }
        return name;
    }

    private static final Comparator<String> VERSION_ORDER = (a, b) -> {
        boolean na = a.matches("\\d{1,18}");
        boolean nb = b.matches("\\d{1,18}");
        if (na && nb) {
            return Long.compare(Long.parseLong(a), Long.parseLong(b));
        }
        return na ? -1 : nb ? 1 : a.compareTo(b);
    };

    @Override
    public String toString() {
        return "ModelRegistry[" + root + "]";
    }
}
