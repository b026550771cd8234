package io.latentwatch.core.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A working directory for one job: either a new temporary directory, deleted with everything in it on
 * {@link #close()}, or one the user named, which is kept (they asked for it so as to look inside).
 */
public final class ScratchDirectory implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ScratchDirectory.class);

    private final Path path;
    private final boolean temporary;

    private ScratchDirectory(Path path, boolean temporary) {
        this.path = path;
        this.temporary = temporary;
    }

    /** A new directory under the system's temporary folder, named {@code prefix} plus random characters. */
    public static ScratchDirectory temporary(String prefix) throws IOException {
        return new ScratchDirectory(Files.createTempDirectory(prefix), true);
    }

    /** {@code kept} (created if missing, never deleted) when given, else {@link #temporary(String)}. */
    public static ScratchDirectory keptOrTemporary(Path kept, String prefix) throws IOException {
        return kept != null ? new ScratchDirectory(Files.createDirectories(kept), false) : temporary(prefix);
    }

    public Path path() {
        return path;
    }

    /** Whether {@link #close()} deletes the directory. */
    public boolean isTemporary() {
        return temporary;
    }

    /** Deletes a temporary directory; a failure is logged, not thrown, as it must not hide the job's own outcome. */
    @Override
    public void close() {
        if (!temporary) {
            return;
        }
        try {
            Directories.deleteRecursively(path);
        } catch (IOException e) {
            LOG.warn("could not delete scratch_dir={} reason=\"{}\"", path, e.toString());
        }
    }

    @Override
    public String toString() {
        return path + (temporary ? " (temporary)" : "");
    }
}
