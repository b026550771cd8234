package io.latentwatch.core.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Operations on directory trees that the JDK lacks. */
public final class Directories {
    private Directories() {}

    /**
     * Deletes a directory and everything under it, deepest first; nothing if it does not exist.
     *
     * @throws IOException on the first path that cannot be deleted (what was deleted before it stays deleted)
     */
    public static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> deepestFirst;
        try (Stream<Path> paths = Files.walk(dir)) {
            deepestFirst = paths.sorted(Comparator.comparingInt(Path::getNameCount).reversed()).toList();
        }
        for (Path p : deepestFirst) {
            Files.delete(p);
        }
    }
}
