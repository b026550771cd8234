package io.latentwatch.streaming;

import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.scoring.OnnxScorer;
import io.latentwatch.streaming.internals.ModelFollower;
import io.latentwatch.streaming.internals.ModelSlot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming application: loads and checks the model bundle, builds the {@link ScoringTopology}, creates the
 * topics it needs when they are missing, and runs {@link KafkaStreams}.
 *
 * <pre>{@code
 * try (LatentwatchStreamsApp app = new LatentwatchStreamsApp(LatentwatchStreamsConfig.fromFile(path))) {
 *     app.start();
 *     app.awaitRunning(Duration.ofSeconds(60));
 *     ... // until shutdown
 * }
 * }</pre>
 *
 * State changes are logged as {@code event=state_change old_state=.. new_state=..}. A stream thread that dies of an
 * unexpected error shuts the client down (state ERROR) rather than retrying forever; bad records never do that,
 * they go to the dead-letter topic.
 */
public final class LatentwatchStreamsApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LatentwatchStreamsApp.class);

    /** How long {@link #close()} waits for stream threads to finish. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private final StreamsSettings settings;
    private final ModelBundle bundle;
    private final Topology topology;
    private final KafkaStreams streams;
    /** Null unless models.follow: then the follower fills the slot and the tasks swap to what it holds. */
    private final ModelSlot modelSlot;
    private final ModelFollower modelFollower;
    private final Object stateMonitor = new Object();
    private boolean started;

    /** Validates the config, loads the bundle, and prepares (does not start) the application. */
    public LatentwatchStreamsApp(LatentwatchStreamsConfig config) {
        this(config.toSettings());
    }

    /** Loads the bundle named in the settings and prepares (does not start) the application. */
    public LatentwatchStreamsApp(StreamsSettings settings) {
        this(settings, ModelBundle.load(settings.modelBundle()));
    }

    /**
     * Prepares (does not start) the application for a loaded bundle. Opens the model once to fail here, not in
     * a stream thread, when ONNX Runtime cannot serve it with the configured execution provider.
     */
    public LatentwatchStreamsApp(StreamsSettings settings, ModelBundle bundle) {
        this(settings, bundle, ScoringMetrics.NOOP);
    }

    /** As {@link #LatentwatchStreamsApp(StreamsSettings, ModelBundle)}, reporting to {@code metrics}. */
    public LatentwatchStreamsApp(StreamsSettings settings, ModelBundle bundle, ScoringMetrics metrics) {
        this.settings = settings;
        this.bundle = bundle;
        checkStateDir(settings.stateDir());
        try (OnnxScorer probe = OnnxScorer.open(bundle, settings.scorerOptions())) {
            LOG.info("event=model_loaded application_id={} model_id={} model_version={} window_length={} "
                            + "execution_provider={} execution_provider_reason=\"{}\"",
                    settings.applicationId(), bundle.manifest().modelId(), bundle.manifest().modelVersion(),
                    bundle.manifest().windowLength(), probe.executionProvider().configName(),
                    probe.executionProviderReason());
        }
        if (settings.modelsFollow()) {
            this.modelSlot = new ModelSlot(bundle, ScoringTopology.effectiveThresholds(settings, bundle.manifest().thresholds()));
            Properties clients = new Properties();
            clients.putAll(settings.clientProperties());
            clients.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
            this.modelFollower = new ModelFollower(clients, settings.modelsTopic(), bundle.manifest(),
                    settings.scorerOptions(), t -> ScoringTopology.effectiveThresholds(settings, t), metrics, modelSlot);
        } else {
            this.modelSlot = null;
            this.modelFollower = null;
        }
        this.topology = ScoringTopology.build(settings, bundle, metrics, modelSlot);
        this.streams = new KafkaStreams(topology, settings.toStreamsProperties());
        streams.setStateListener(this::onStateChange);
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("event=stream_thread_failed application_id={} action=shutdown_client error=\"{}\"",
                    settings.applicationId(), e.toString(), e);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    }

    /**
     * Creates missing topics and starts processing. Returns at once; see {@link #awaitRunning(Duration)}.
     *
     * @throws IllegalStateException when called twice
     * @throws StreamsException when the topics cannot be listed or created
     */
    public void start() {
        synchronized (stateMonitor) {
            if (started) {
                throw new IllegalStateException("the application was already started");
            }
            started = true;
        }
        createMissingTopics();
        LOG.info("event=starting application_id={} input_topic={} input_format={} latents_topic={} alerts_topic={} "
                        + "dlq_topic={} processing_guarantee={}",
                settings.applicationId(), settings.inputTopic(), settings.inputFormat().configName(),
                settings.latentsTopic(), settings.alertsTopic(), settings.dlqTopic(),
                settings.processingGuarantee().configName());
        if (modelFollower != null) {
            try {
                ModelEvents.ensureTopic(settings.adminProperties(), settings.modelsTopic(), settings.replicationFactor());
            } catch (IllegalStateException e) {
                throw new StreamsException(e.getMessage(), e);
            }
            modelFollower.start();
        }
        streams.start();
    }

    /**
     * Waits until the application is RUNNING.
     *
     * @return true when running, false when the timeout passed first
     * @throws IllegalStateException when the application is not started, or is shutting down or failed
     */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (stateMonitor) {
            if (!started) {
                throw new IllegalStateException("the application has not been started");
            }
            while (true) {
                KafkaStreams.State state = streams.state();
                if (state == KafkaStreams.State.RUNNING) {
                    return true;
                }
                if (state.isShuttingDown() || state.hasCompletedShutdown()) {
                    throw new IllegalStateException("the application will not run: it is " + state);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                // Woken by the state listener; the bounded wait also covers a change that raced this check.
                TimeUnit.NANOSECONDS.timedWait(stateMonitor, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
            }
        }
    }

    /**
     * Checks that the state directory is a directory this process can create and write (a file is written and
     * deleted), so that a wrong path, a read-only directory or a full disk stops the service at start with a message
     * naming {@code state.dir}, rather than failing later inside a stream thread.
     *
     * @throws IllegalArgumentException naming the key, the path and what is wrong
     */
    public static void checkStateDir(Path stateDir) {
        String key = LatentwatchStreamsConfig.STATE_DIR_CONFIG;
        if (Files.exists(stateDir) && !Files.isDirectory(stateDir)) {
            throw new IllegalArgumentException(key + "=" + stateDir + " is not a directory");
        }
        try {
            Files.createDirectories(stateDir);
        } catch (IOException e) {
            throw new IllegalArgumentException(key + "=" + stateDir + ": cannot create the directory (" + e + ")", e);
        }
        Path probe = null;
        try {
            probe = Files.createTempFile(stateDir, ".latentwatch-write-probe", ".tmp");
            Files.write(probe, new byte[4096]);
        } catch (IOException e) {
            throw new IllegalArgumentException(key + "=" + stateDir + ": cannot write to the directory (" + e + ")", e);
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException ignored) {
                    // a leftover probe file is harmless
                }
            }
        }
    }

    /** The Kafka Streams state. */
    public KafkaStreams.State state() {
        return streams.state();
    }

    /**
     * The underlying Kafka Streams client, for monitoring only (its metrics, state and lag): starting, closing or
     * changing it behind this application's back is not supported.
     */
    public KafkaStreams kafkaStreams() {
        return streams;
    }

    /** The topology being run (its description is useful in logs and tests). */
    public Topology topology() {
        return topology;
    }

    /** The model bundle this application started with ({@code model.bundle}). */
    public ModelBundle bundle() {
        return bundle;
    }

    /**
     * The newest verified bundle from the models topic (the one stream tasks serve from their next micro-batch on), or
     * the starting bundle when none came or {@code models.follow} is false.
     */
    public ModelBundle servingBundle() {
        return modelSlot == null ? bundle : modelSlot.current().bundle();
    }

    public StreamsSettings settings() {
        return settings;
    }

    /** Closes within {@link #DEFAULT_CLOSE_TIMEOUT}. */
    @Override
    public void close() {
        close(DEFAULT_CLOSE_TIMEOUT);
    }

    /**
     * Stops processing, commits, closes the stream tasks (and their ONNX sessions) and leaves the consumer group, so
     * other instances with the same application id take over its partitions right away.
     *
     * @return true when everything closed within the timeout
     */
    public boolean close(Duration timeout) {
        LOG.info("event=closing application_id={} timeout_ms={}", settings.applicationId(), timeout.toMillis());
        if (modelFollower != null) {
            modelFollower.close();
        }
        // Leaving the group hands this instance's partitions to the others at once, not after the session timeout.
        boolean clean = streams.close(CloseOptions.timeout(timeout)
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        if (!clean) {
            LOG.warn("event=close_timed_out application_id={} timeout_ms={}", settings.applicationId(), timeout.toMillis());
        }
        return clean;
    }

    private void onStateChange(KafkaStreams.State newState, KafkaStreams.State oldState) {
        if (newState == KafkaStreams.State.ERROR || newState == KafkaStreams.State.PENDING_ERROR) {
            LOG.error("event=state_change application_id={} old_state={} new_state={}", settings.applicationId(), oldState, newState);
        } else {
            LOG.info("event=state_change application_id={} old_state={} new_state={}", settings.applicationId(), oldState, newState);
        }
        synchronized (stateMonitor) {
            stateMonitor.notifyAll();
        }
    }

    private void createMissingTopics() {
        try (Admin admin = Admin.create(settings.adminProperties())) {
            Set<String> existing = admin.listTopics().names().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String topic : settings.topics()) {
                if (!existing.contains(topic)) {
                    // Partitions: the broker's default (num.partitions); replication as configured.
                    missing.add(new NewTopic(topic, Optional.empty(), Optional.of((short) settings.replicationFactor())));
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            var results = admin.createTopics(missing).values();
            for (var e : results.entrySet()) {
                try {
                    e.getValue().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    LOG.info("event=topic_created topic={} replication_factor={}", e.getKey(), settings.replicationFactor());
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) { // another instance was quicker
                        throw ex;
                    }
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new StreamsException("cannot create topics " + settings.topics() + " at " + settings.bootstrapServers()
                    + ": " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StreamsException("interrupted while creating topics", e);
        }
    }
}
