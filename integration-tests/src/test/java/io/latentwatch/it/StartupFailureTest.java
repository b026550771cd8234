package io.latentwatch.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.latentwatch.core.bundle.ModelBundle;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code latentwatch serve} as a child JVM with a state directory it cannot use: it must stop at once with a clear
 * error naming {@code state.dir} and the path, and a non-zero exit status, rather than run without state or hang.
 * No broker is needed: the check comes before any connection (the bootstrap address is a closed port).
 */
class StartupFailureTest {
    @TempDir
    static Path shared;
    private static ModelBundle bundle;

    @BeforeAll
    static void train() {
        bundle = Reliability.trainTinyModel(shared.resolve("bundle"));
    }

    @Test
    void aStateDirThatIsARegularFileStopsTheServiceWithAClearError(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
        assertRefused(dir, file, "is not a directory");
    }

    @Test
    void aStateDirUnderARegularFileStopsTheServiceWithAClearError(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        assertRefused(dir, file.resolve("state"), "cannot create");
    }

    @Test
    void aReadOnlyStateDirStopsTheServiceWithAClearError(@TempDir Path dir) throws Exception {
        Path readOnly = Files.createDirectory(dir.resolve("read-only"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            // root ignores permission bits: the directory would be writable, and this case cannot be made to happen.
            assumeFalse(Files.isWritable(readOnly) && canWrite(readOnly),
                    "running as root: a read-only permission does not stop root from writing");
            assertRefused(dir, readOnly, "cannot write");
        } finally {
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static boolean canWrite(Path dir) {
        try {
            Files.delete(Files.createTempFile(dir, "probe", ".tmp"));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void assertRefused(Path dir, Path stateDir, String expected) throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Path log = dir.resolve("serve.log");
        try (ServiceProcess serve = ServiceProcess.start(log, List.of("serve", "--bundle", bundle.directory().toString(),
                "--set", "bootstrap.servers=127.0.0.1:" + closedPort,
                "--set", "state.dir=" + stateDir,
                "--set", "http.enabled=false"))) {
            int status = serve.awaitExit(120);
            String output = Files.readString(log);
            assertThat(status).as("exit status (-1: still running); output:%n%s", output).isPositive();
            assertThat(output).contains("state.dir").contains(stateDir.toString()).contains(expected);
            assertThat(output).as("a one-line error, not a stack trace").doesNotContain("\tat ");
        }
    }
}
