package io.latentwatch.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class EmbeddedKafkaBrokerTest {

    private EmbeddedKafkaBroker broker;

    @BeforeAll
    void startBroker() {
        broker = EmbeddedKafkaBroker.start();
        System.out.printf("embedded broker startup (format + start): %d ms%n", broker.lastStartupTime().toMillis());
    }

    @AfterAll
    void closeBroker() {
        if (broker != null) {
            Path dir = broker.workDir();
            broker.close();
            assertThat(broker.isRunning()).isFalse();
            assertThat(dir).doesNotExist();
            assertThatThrownBy(broker::restart).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void configuredListenersAreAll127001() throws IOException {
        assertThat(broker.bootstrapServers()).isEqualTo("127.0.0.1:" + broker.port());
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(broker.propertiesFile())) {
            p.load(in);
        }
        for (String key : List.of("listeners", "advertised.listeners", "controller.quorum.voters")) {
            String value = p.getProperty(key);
            assertThat(value).as(key).isNotBlank().doesNotContain("0.0.0.0").doesNotContain("://:")
                    .doesNotContain("localhost");
            for (String entry : value.split(",")) {
                String hostPort = entry.substring(entry.indexOf("://") >= 0 ? entry.indexOf("://") + 3 : entry.indexOf('@') + 1);
                assertThat(hostPort).as(key + " entry " + entry).startsWith("127.0.0.1:");
            }
        }
        assertThat(p.getProperty("listeners")).contains("PLAINTEXT://127.0.0.1:" + broker.port())
                .contains("CONTROLLER://127.0.0.1:" + broker.controllerPort());
    }

    /** Linux only: every socket the child JVM listens on is bound to 127.0.0.1, and both listeners are open. */
    @Test
    void childListensOnlyOnLoopback() throws IOException {
        Path tcp = Paths.get("/proc/net/tcp");
        assumeTrue(Files.isReadable(tcp), "needs Linux /proc");
        long pid = broker.pid().orElseThrow();
        Set<String> inodes = socketInodes(pid);
        List<String> listening = new ArrayList<>();
        for (Path table : List.of(tcp, Paths.get("/proc/net/tcp6"))) {
            if (!Files.isReadable(table)) {
                continue;
            }
            for (String line : Files.readAllLines(table).subList(1, Files.readAllLines(table).size())) {
                String[] f = line.trim().split("\\s+");
                // f[1] local address:port (hex), f[3] state (0A = LISTEN), f[9] inode
                if ("0A".equals(f[3]) && inodes.contains(f[9])) {
                    listening.add(f[1]);
                }
            }
        }
        assertThat(listening).as("listening sockets of broker pid %d", pid).hasSizeGreaterThanOrEqualTo(2);
        for (String local : listening) {
            String addr = local.substring(0, local.indexOf(':'));
            assertThat(addr).as("local address of %s", local)
                    .isIn("0100007F", "0000000000000000FFFF00000100007F");
        }
        Set<Integer> ports = listening.stream().map(l -> Integer.parseInt(l.substring(l.indexOf(':') + 1), 16))
                .collect(Collectors.toSet());
        assertThat(ports).contains(broker.port(), broker.controllerPort());
    }

    @Test
    void stopRestartAndKillRestartKeepTheData() throws Exception {
        String topic = "durable-" + System.nanoTime();
        String bootstrap = broker.bootstrapServers();
        Topics.create(bootstrap, Map.of(), List.of(Topics.topic(topic, 1)));
        TestClients.produce(bootstrap, topic, 0, 100);

        broker.stop();
        assertThat(broker.isRunning()).isFalse();
        assertThat(canConnect(broker.port())).isFalse();

        broker.restart();
        System.out.printf("embedded broker restart after stop: %d ms%n", broker.lastStartupTime().toMillis());
        assertThat(broker.bootstrapServers()).isEqualTo(bootstrap);
        assertThat(TestClients.consumeValues(bootstrap, topic, 100))
                .isEqualTo(IntStream.range(0, 100).mapToObj(i -> "v" + i).collect(Collectors.toList()));

        TestClients.produce(bootstrap, topic, 100, 50);
        broker.kill();
        assertThat(broker.isRunning()).isFalse();
        broker.restart();
        System.out.printf("embedded broker restart after kill: %d ms%n", broker.lastStartupTime().toMillis());
        assertThat(TestClients.consumeValues(bootstrap, topic, 150))
                .isEqualTo(IntStream.range(0, 150).mapToObj(i -> "v" + i).collect(Collectors.toList()));
    }

    @Test
    void startupFailureReportsTheBrokerLogAndLeavesNothingBehind() throws IOException {
        Set<Path> before = workDirs();
        assertThatThrownBy(() -> EmbeddedKafkaBroker.start(Map.of("num.io.threads", "-1")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited with status")
                .hasMessageContaining("num.io.threads");
        assertThatThrownBy(() -> EmbeddedKafkaBroker.start(Map.of("listeners", "PLAINTEXT://0.0.0.0:9092")))
                .isInstanceOf(IllegalArgumentException.class);
        Set<Path> after = workDirs();
        after.removeAll(before);
        assertThat(after).as("work dirs left by failed starts").isEmpty();
    }

    private static Set<Path> workDirs() throws IOException {
        try (Stream<Path> s = Files.list(Paths.get(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("latentwatch-kafka-"))
                    .collect(Collectors.toCollection(HashSet::new));
        }
    }

    private static boolean canConnect(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Set<String> socketInodes(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Paths.get("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException ignored) {
                    // fd closed meanwhile
                }
            }
        }
        return inodes;
    }

    @Test
    void brokerJvmOptionsAreQuickStartUnlessConfigured() {
        String before = System.getProperty(EmbeddedKafkaBroker.JVM_OPTIONS_PROPERTY);
        try {
            System.clearProperty(EmbeddedKafkaBroker.JVM_OPTIONS_PROPERTY);
            assertThat(EmbeddedKafkaBroker.jvmOptions()).isEqualTo(EmbeddedKafkaBroker.QUICK_START_JVM_OPTIONS)
                    .contains("-XX:TieredStopAtLevel=1");
            System.setProperty(EmbeddedKafkaBroker.JVM_OPTIONS_PROPERTY, "  -Xmx1g   -XX:+UseParallelGC ");
            assertThat(EmbeddedKafkaBroker.jvmOptions()).containsExactly("-Xmx1g", "-XX:+UseParallelGC");
        } finally {
            if (before == null) {
                System.clearProperty(EmbeddedKafkaBroker.JVM_OPTIONS_PROPERTY);
            } else {
                System.setProperty(EmbeddedKafkaBroker.JVM_OPTIONS_PROPERTY, before);
            }
        }
    }
}
