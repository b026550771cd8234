package io.latentwatch.broker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Entry point of the child JVM started by {@link EmbeddedKafkaBroker}: formats the KRaft storage when asked,
 * watches the parent process, then runs {@code kafka.Kafka}. Formatting in the same JVM as the broker saves
 * one JVM start.
 *
 * <p>Arguments: {@code <server.properties> <parentPid> <workDir> [format <clusterId>]}.
 */
final class BrokerLauncher {

    /** Exit status when the parent JVM disappeared (killed without running its shutdown hooks). */
    static final int EXIT_PARENT_GONE = 3;
    /** Exit status when formatting the storage failed. */
    static final int EXIT_FORMAT_FAILED = 4;

    private BrokerLauncher() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3 && args.length != 5) {
            System.err.println("usage: BrokerLauncher <server.properties> <parentPid> <workDir> [format <clusterId>]");
            System.exit(2);
        }
        String props = args[0];
        long parentPid = Long.parseLong(args[1]);
        Path workDir = Paths.get(args[2]);
        watchParent(parentPid, workDir);

        if (args.length == 5 && "format".equals(args[3])) {
            long t0 = System.nanoTime();
            int rc = kafka.tools.StorageTool$.MODULE$.execute(
                    new String[] {"format", "-t", args[4], "-c", props, "--ignore-formatted"}, System.out);
            System.out.printf("latentwatch: storage format exited %d in %d ms%n", rc, (System.nanoTime() - t0) / 1_000_000);
            System.out.flush();
            if (rc != 0) {
                System.exit(EXIT_FORMAT_FAILED);
            }
        }
        kafka.Kafka.main(new String[] {props});
    }

    /** A parent killed by SIGKILL runs no shutdown hook: the child notices, removes the work dir and halts. */
    private static void watchParent(long parentPid, Path workDir) {
        ProcessHandle parent = ProcessHandle.of(parentPid).orElse(null);
        if (parent == null) {
            System.err.println("latentwatch: parent process " + parentPid + " is gone, exiting");
            Runtime.getRuntime().halt(EXIT_PARENT_GONE);
        }
        parent.onExit().thenRun(() -> {
            System.err.println("latentwatch: parent process " + parentPid + " exited, stopping orphan broker");
            deleteQuietly(workDir);
            Runtime.getRuntime().halt(EXIT_PARENT_GONE);
        });
    }

    static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException | RuntimeException ignored) {
            // best effort
        }
    }
}
