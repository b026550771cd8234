package io.latentwatch.broker;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Kafka cluster to connect to, as chosen by {@link KafkaEndpoints#start()}: its bootstrap servers, how it
 * was obtained, and what to stop when done. {@link #close()} stops whatever was started (a container or an
 * embedded broker) and is a no-op for an external cluster. Closing twice is harmless.
 */
public final class KafkaEndpoint implements AutoCloseable {

    /** Kind of a cluster given by {@code KAFKA_BOOTSTRAP}; nothing is started or stopped. */
    public static final String EXTERNAL = "external";
    /** Kind of a broker run by Testcontainers in Docker. */
    public static final String TESTCONTAINERS = "testcontainers";
    /** Kind of an {@link EmbeddedKafkaBroker} child process. */
    public static final String EMBEDDED = "embedded";

    private final String bootstrapServers;
    private final String kind;
    private final AutoCloseable resource;
    private final EmbeddedKafkaBroker embedded;
    private final AtomicBoolean closed = new AtomicBoolean();

    private KafkaEndpoint(String bootstrapServers, String kind, AutoCloseable resource, EmbeddedKafkaBroker embedded) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.resource = resource;
        this.embedded = embedded;
    }

    /**
     * @param bootstrapServers servers of a cluster managed elsewhere
     * @return an endpoint whose {@link #close()} does nothing
     */
    public static KafkaEndpoint external(String bootstrapServers) {
        return new KafkaEndpoint(bootstrapServers, EXTERNAL, null, null);
    }

    /**
     * @param broker a running embedded broker, owned by the endpoint from now on
     * @return an endpoint whose {@link #close()} closes the broker
     */
    public static KafkaEndpoint embedded(EmbeddedKafkaBroker broker) {
        return new KafkaEndpoint(broker.bootstrapServers(), EMBEDDED, broker, broker);
    }

    static KafkaEndpoint testcontainers(String bootstrapServers, AutoCloseable container) {
        return new KafkaEndpoint(bootstrapServers, TESTCONTAINERS, container, null);
    }

    /** @return the {@code bootstrap.servers} value for clients */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** @return {@value #EXTERNAL}, {@value #TESTCONTAINERS} or {@value #EMBEDDED} */
    public String kind() {
        return kind;
    }

    /** @return the embedded broker, for stop/restart/kill in reliability tests; empty for other kinds */
    public Optional<EmbeddedKafkaBroker> embeddedBroker() {
        return Optional.ofNullable(embedded);
    }

    /** Stops what {@link KafkaEndpoints#start()} started; no-op for an external cluster. */
    @Override
    public void close() {
        if (resource == null || !closed.compareAndSet(false, true)) {
            return;
        }
        try {
            resource.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop Kafka " + kind + " at " + bootstrapServers, e);
        }
    }

    @Override
    public String toString() {
        return "KafkaEndpoint[" + kind + " " + bootstrapServers + "]";
    }
}
