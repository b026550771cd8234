package io.latentwatch.core.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchDirectoryTest {
    @TempDir
    Path tmp;

    private static void fill(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("a/b/c"));
        Files.writeString(dir.resolve("a/b/c/deep.txt"), "x");
        Files.writeString(dir.resolve("a/top.txt"), "y");
        Files.writeString(dir.resolve("root.txt"), "z");
    }

    @Test
    void aTemporaryDirectoryGoesWithEverythingInItOnClose() throws IOException {
        Path path;
        try (ScratchDirectory scratch = ScratchDirectory.temporary("latentwatch-test-")) {
            path = scratch.path();
            assertThat(scratch.isTemporary()).isTrue();
            assertThat(path).isDirectory();
            assertThat(path.getFileName().toString()).startsWith("latentwatch-test-");
            fill(path);
        }
        assertThat(path).doesNotExist();
    }

    @Test
    void aNamedDirectoryIsCreatedAndKept() throws IOException {
        Path named = tmp.resolve("work/nested");
        try (ScratchDirectory scratch = ScratchDirectory.keptOrTemporary(named, "unused-")) {
            assertThat(scratch.isTemporary()).isFalse();
            assertThat(scratch.path()).isEqualTo(named).isDirectory();
            fill(named);
        }
        assertThat(named.resolve("a/b/c/deep.txt")).hasContent("x");
    }

    @Test
    void withoutANameItIsTemporary() throws IOException {
        Path path;
        try (ScratchDirectory scratch = ScratchDirectory.keptOrTemporary(null, "latentwatch-test-")) {
            path = scratch.path();
            assertThat(scratch.isTemporary()).isTrue();
        }
        assertThat(path).doesNotExist();
    }

    @Test
    void closingTwiceOrAfterTheDirectoryWentIsHarmless() throws IOException {
        ScratchDirectory scratch = ScratchDirectory.temporary("latentwatch-test-");
        Directories.deleteRecursively(scratch.path());
        scratch.close();
        scratch.close();
        assertThat(scratch.path()).doesNotExist();
    }

    @Test
    void deleteRecursivelyRemovesATreeAndIgnoresAMissingOne() throws IOException {
        Path dir = tmp.resolve("tree");
        fill(dir);
        Directories.deleteRecursively(dir);
        assertThat(dir).doesNotExist();
        assertThat(tmp).isDirectory();
        Directories.deleteRecursively(tmp.resolve("never-was"));
    }
}
