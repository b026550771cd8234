package io.latentwatch.broker;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft Kafka broker ({@code process.roles=broker,controller}) run as a child JVM from the
 * Kafka jars on this JVM's classpath.
 *
 * <p>Every listener (PLAINTEXT and CONTROLLER) is bound to {@code 127.0.0.1} on free ports picked at the
 * first start; the data lives in a fresh temporary directory that {@link #close()} deletes. The child's
 * stdout/stderr go to {@code broker.log} in that directory; its tail is part of every start failure.
 * {@link #stop()}, {@link #kill()} and {@link #restart()} keep ports and data, so clients can reconnect
 * to the same {@link #bootstrapServers()}. A JVM shutdown hook stops the child when the parent exits, and
 * the child halts by itself if the parent dies without running hooks (SIGKILL).
 *
 * <p>Instances are thread-safe. Use {@link #start()} or {@link #start(Map)}.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    /** Host every listener binds to and advertises. */
    public static final String HOST = "127.0.0.1";
    /** How long {@link #start()} and {@link #restart()} wait for the broker to answer. */
    public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    /** How long {@link #stop()} waits for a clean shutdown before killing the child. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final int NODE_ID = 1;
    private static final int LOG_TAIL_LINES = 60;
    private static final Set<String> FIXED_PROPERTIES = Set.of("listeners", "advertised.listeners",
            "listener.security.protocol.map", "controller.listener.names", "controller.quorum.voters",
            "controller.quorum.bootstrap.servers", "log.dirs", "log.dir", "process.roles", "node.id");

    private final Path workDir;
    private final Path dataDir;
    private final Path propertiesFile;
    private final Path logFile;
    private final int port;
    private final int controllerPort;
    private final String clusterId;
    private final Map<String, String> overrides;
    private final Path logbackFile;
    private final List<String> command;
    private final String classPath;
    private final Thread shutdownHook;

    private volatile Process process;
    private boolean formatted;
    private boolean closed;
    private Duration lastStartupTime = Duration.ZERO;

    /** System property with the broker JVM's heap, GC and JIT options, replacing {@link #QUICK_START_JVM_OPTIONS}. */
    public static final String JVM_OPTIONS_PROPERTY = "latentwatch.broker.jvm-options";
    /** The broker JVM's default options: quick to start, for tests and the demo. */
    public static final List<String> QUICK_START_JVM_OPTIONS =
            List.of("-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    /** Options for long runs (benchmarks): the full JIT and a larger heap. */
    public static final List<String> STEADY_STATE_JVM_OPTIONS = List.of("-Xms256m", "-Xmx1g", "-XX:+UseParallelGC");

    private EmbeddedKafkaBroker(Map<String, String> overrides) throws IOException {
        for (String key : overrides.keySet()) {
            if (FIXED_PROPERTIES.contains(key)) {
                throw new IllegalArgumentException("embedded broker property " + key + " cannot be overridden");
            }
        }
        int[] ports = freePorts(2);
        this.port = ports[0];
        this.controllerPort = ports[1];
        this.clusterId = Uuid.randomUuid().toString();
        this.overrides = Map.copyOf(overrides);
        this.workDir = Files.createTempDirectory("latentwatch-kafka-");
        this.dataDir = workDir.resolve("data");
        this.propertiesFile = workDir.resolve("server.properties");
        this.logFile = workDir.resolve("broker.log");
        this.logbackFile = workDir.resolve("logback-broker.xml");
        this.classPath = childClassPath();
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        cmd.addAll(jvmOptions());
        cmd.addAll(List.of("-XX:-UsePerfData",
                "-Xss512k", "-Djava.awt.headless=true", "-Djava.net.preferIPv4Stack=true", "-Dfile.encoding=UTF-8",
                "-Dlogback.configurationFile=" + logbackFile.toAbsolutePath(),
                "-Dkafka.logs.dir=" + workDir.toAbsolutePath(),
                BrokerLauncher.class.getName(),
                propertiesFile.toAbsolutePath().toString(),
                Long.toString(ProcessHandle.current().pid()),
                workDir.toAbsolutePath().toString()));
        this.command = List.copyOf(cmd);
        this.shutdownHook = new Thread(this::onJvmShutdown, "embedded-kafka-shutdown-" + port);
    }

    /**
     * Heap, GC and JIT options of the broker's JVM: {@value #JVM_OPTIONS_PROPERTY} when set (space-separated), else
     * {@link #QUICK_START_JVM_OPTIONS}, tuned for tests (fast start, small heap, the C1 compiler only). Long runs
     * such as benchmarks want the full JIT: the C1-only broker spends far more CPU per record.
     */
    static List<String> jvmOptions() {
        String configured = System.getProperty(JVM_OPTIONS_PROPERTY);
        if (configured == null || configured.isBlank()) {
            return QUICK_START_JVM_OPTIONS;
        }
        return List.of(configured.strip().split("\\s+"));
    }

    private void writeFiles() throws IOException {
        Files.createDirectories(dataDir);
        writeProperties(brokerProperties(overrides));
        Files.writeString(logbackFile, CHILD_LOGBACK, StandardCharsets.UTF_8);
    }

    /**
     * Formats a fresh data directory and starts a broker with the default settings.
     *
     * @return a running broker
     * @throws IllegalStateException when the broker does not answer within {@link #STARTUP_TIMEOUT}
     */
    public static EmbeddedKafkaBroker start() {
        return start(Map.of());
    }

    /**
     * Formats a fresh data directory and starts a broker.
     *
     * @param brokerOverrides broker properties applied over the defaults (listeners cannot be overridden)
     * @return a running broker
     * @throws IllegalStateException when the broker does not answer within {@link #STARTUP_TIMEOUT}
     */
    public static EmbeddedKafkaBroker start(Map<String, String> brokerOverrides) {
        EmbeddedKafkaBroker broker;
        try {
            broker = new EmbeddedKafkaBroker(brokerOverrides);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the embedded Kafka broker", e);
        }
        try {
            broker.writeFiles();
            Runtime.getRuntime().addShutdownHook(broker.shutdownHook);
            broker.launch();
        } catch (IOException e) {
            broker.close();
            throw new UncheckedIOException("cannot prepare the embedded Kafka broker in " + broker.workDir, e);
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /** @return {@code 127.0.0.1:PORT} of the PLAINTEXT listener */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    /** @return port of the PLAINTEXT listener (stable across restarts) */
    public int port() {
        return port;
    }

    /** @return port of the CONTROLLER listener (stable across restarts) */
    public int controllerPort() {
        return controllerPort;
    }

    /** @return the broker's {@code server.properties} */
    public Path propertiesFile() {
        return propertiesFile;
    }

    /** @return the file receiving the child's stdout and stderr */
    public Path logFile() {
        return logFile;
    }

    /** @return the temporary directory holding data, properties and log; deleted by {@link #close()} */
    public Path workDir() {
        return workDir;
    }

    /** @return pid of the running child, empty when stopped */
    public synchronized OptionalLong pid() {
        return process != null && process.isAlive() ? OptionalLong.of(process.pid()) : OptionalLong.empty();
    }

    /** @return whether the child process is alive */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** @return time from launching the child to the broker answering, for the last (re)start */
    public synchronized Duration lastStartupTime() {
        return lastStartupTime;
    }

    /** Stops the broker cleanly (SIGTERM, then SIGKILL after {@link #STOP_TIMEOUT}); keeps ports and data. */
    public synchronized void stop() {
        stopProcess(false);
    }

    /** Kills the broker with SIGKILL, like a crash; keeps ports and data. */
    public synchronized void kill() {
        stopProcess(true);
    }

    /**
     * Stops the broker if it runs, then starts it again on the same ports with the same data.
     *
     * @throws IllegalStateException when closed, or when the broker does not answer in time
     */
    public synchronized void restart() {
        stopProcess(false);
        launch();
    }

    /** Stops the child if it runs and deletes the temporary directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stopProcess(false);
        } finally {
            BrokerLauncher.deleteQuietly(workDir);
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException | SecurityException ignored) {
                // JVM already shutting down: the hook is running or will run and finds nothing to do
            }
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaBroker[" + bootstrapServers() + ", dir=" + workDir + "]";
    }

    /** Blocks until the child exits; used by {@link EmbeddedKafkaMain}. */
    int awaitExit() throws InterruptedException {
        Process p = process;
        return p == null ? -1 : p.waitFor();
    }

    private synchronized void launch() {
        if (closed) {
            throw new IllegalStateException("embedded Kafka broker is closed");
        }
        if (isRunning()) {
            return;
        }
        List<String> cmd = new ArrayList<>(command);
        if (!formatted) {
            cmd.add("format");
            cmd.add(clusterId);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        pb.environment().put("CLASSPATH", classPath);
        long t0 = System.nanoTime();
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded Kafka broker JVM " + cmd.get(0), e);
        }
        awaitReady(t0);
        formatted = true;
        lastStartupTime = Duration.ofNanos(System.nanoTime() - t0);
        LOG.info("Embedded Kafka broker up at {} in {} ms (pid {}, dir {})",
                bootstrapServers(), lastStartupTime.toMillis(), process.pid(), workDir);
    }

    private void awaitReady(long t0) {
        long deadline = t0 + STARTUP_TIMEOUT.toNanos();
        // 1. wait for the PLAINTEXT listener to accept connections (cheap, no client log noise)
        while (!canConnect()) {
            failIfDeadOrLate(deadline, "PLAINTEXT listener " + bootstrapServers() + " did not open");
            sleep(50);
        }
        // 2. the broker answers a metadata request with itself as a registered node
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "latentwatch-embedded-readiness");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "50");
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        String lastError = "no answer";
        try (Admin admin = Admin.create(props)) {
            while (true) {
                failIfDeadOrLate(deadline, "broker did not answer describeCluster: " + lastError);
                try {
                    Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(5000))
                            .nodes().get(6, TimeUnit.SECONDS);
                    if (nodes.stream().anyMatch(n -> n.id() == NODE_ID)) {
                        return;
                    }
                    lastError = "nodes=" + nodes;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the embedded Kafka broker", e);
                } catch (Exception e) {
                    lastError = String.valueOf(e.getCause() != null ? e.getCause() : e);
                }
                sleep(100);
            }
        }
    }

    private void failIfDeadOrLate(long deadline, String what) {
        if (!process.isAlive()) {
            int rc = process.exitValue();
            process = null;
            throw new IllegalStateException("embedded Kafka broker exited with status " + rc
                    + " during startup; last lines of " + logFile + ":\n" + logTail());
        }
        if (System.nanoTime() - deadline > 0) {
            destroy(process, Duration.ofSeconds(5));
            process = null;
            throw new IllegalStateException("embedded Kafka broker did not come up within "
                    + STARTUP_TIMEOUT.toSeconds() + " s (" + what + "); last lines of " + logFile + ":\n" + logTail());
        }
    }

    private boolean canConnect() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getByName(HOST), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private synchronized void stopProcess(boolean forcibly) {
        Process p = process;
        process = null;
        if (p == null || !p.isAlive()) {
            return;
        }
        long t0 = System.nanoTime();
        if (forcibly) {
            p.destroyForcibly();
            waitQuietly(p, Duration.ofSeconds(10));
        } else {
            destroy(p, STOP_TIMEOUT);
        }
        LOG.info("Embedded Kafka broker at {} {} in {} ms", bootstrapServers(), forcibly ? "killed" : "stopped",
                (System.nanoTime() - t0) / 1_000_000);
    }

    private static void destroy(Process p, Duration grace) {
        p.destroy();
        if (!waitQuietly(p, grace)) {
            LOG.warn("Embedded Kafka broker (pid {}) did not stop within {} s, killing it", p.pid(), grace.toSeconds());
            p.destroyForcibly();
            waitQuietly(p, Duration.ofSeconds(10));
        }
    }

    private static boolean waitQuietly(Process p, Duration timeout) {
        try {
            return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }

    private void onJvmShutdown() {
        Process p = process; // no lock: another thread may hold the monitor while (re)starting
        if (p != null && p.isAlive()) {
            destroy(p, Duration.ofSeconds(10));
        }
        BrokerLauncher.deleteQuietly(workDir);
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    private Map<String, String> brokerProperties(Map<String, String> overrides) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dataDir.toAbsolutePath().toString());
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        // after kill() the controller holds the dead incarnation's registration until its session expires
        // (default 9 s); 4 s keeps a crash-restart quick while tolerating multi-second stalls of a busy machine
        p.put("broker.session.timeout.ms", "4000");
        p.put("broker.heartbeat.interval.ms", "1000");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("background.threads", "2");
        p.put("log.cleaner.threads", "1");
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(4 * 1024 * 1024));
        p.putAll(overrides);
        return p;
    }

    private void writeProperties(Map<String, String> props) throws IOException {
        Properties p = new Properties();
        p.putAll(props);
        try (OutputStream out = Files.newOutputStream(propertiesFile)) {
            p.store(out, "latentwatch embedded KRaft broker");
        }
    }

    /** Ports are picked together, while all sockets are open, so they differ. */
    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket();
                sockets.add(s);
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }

    private static String javaBinary() {
        Path fromHome = Paths.get(System.getProperty("java.home"), "bin",
                System.getProperty("os.name", "").toLowerCase().startsWith("windows") ? "java.exe" : "java");
        if (Files.isExecutable(fromHome)) {
            return fromHome.toString();
        }
        Optional<String> current = ProcessHandle.current().info().command();
        return current.orElse("java");
    }

    /**
     * This JVM's class path, plus the jars of a custom class loader (exec:java, IDE runners) when the Kafka
     * server classes are not on {@code java.class.path} itself.
     */
    private static String childClassPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!e.isBlank()) {
                entries.add(normalise(e));
            }
        }
        Class<?>[] required = {kafka.Kafka.class, BrokerLauncher.class, org.slf4j.LoggerFactory.class,
                org.apache.kafka.common.Uuid.class};
        boolean missing = false;
        for (Class<?> c : required) {
            String loc = location(c);
            if (loc != null && !entries.contains(loc)) {
                missing = true;
            }
        }
        if (missing) {
            for (ClassLoader cl = EmbeddedKafkaBroker.class.getClassLoader(); cl != null; cl = cl.getParent()) {
                if (cl instanceof URLClassLoader) {
                    for (URL url : ((URLClassLoader) cl).getURLs()) {
                        String f = toFile(url);
                        if (f != null) {
                            entries.add(f);
                        }
                    }
                }
            }
            for (Class<?> c : required) {
                String loc = location(c);
                if (loc != null) {
                    entries.add(loc);
                }
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static String location(Class<?> c) {
        CodeSource cs = c.getProtectionDomain().getCodeSource();
        return cs == null || cs.getLocation() == null ? null : toFile(cs.getLocation());
    }

    private static String toFile(URL url) {
        if (!"file".equals(url.getProtocol())) {
            return null;
        }
        try {
            return normalise(Paths.get(url.toURI()).toString());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }

    private static String normalise(String path) {
        return Paths.get(path).toAbsolutePath().normalize().toString();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the embedded Kafka broker", e);
        }
    }

    /** Logback configuration of the child: INFO for the broker's own lifecycle, WARN for the chatty rest. */
    private static final String CHILD_LOGBACK = String.join("\n",
            "<configuration>",
            "  <appender name=\"OUT\" class=\"ch.qos.logback.core.ConsoleAppender\">",
            "    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{40} - %msg%n</pattern></encoder>",
            "  </appender>",
            "  <logger name=\"kafka.server.KafkaRaftServer\" level=\"INFO\"/>",
            "  <logger name=\"kafka.server.BrokerServer\" level=\"INFO\"/>",
            "  <logger name=\"kafka.server.ControllerServer\" level=\"INFO\"/>",
            "  <logger name=\"kafka.Kafka\" level=\"INFO\"/>",
            "  <logger name=\"kafka.tools\" level=\"INFO\"/>",
            "  <root level=\"WARN\"><appender-ref ref=\"OUT\"/></root>",
            "</configuration>",
            "");
}
