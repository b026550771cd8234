package io.latentwatch.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Idempotent topic creation through the Admin client. */
public final class Topics {

    /** How long {@link #create(String, Map, List)} waits for the topics to be created and led. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(Topics.class);

    private Topics() {
    }

    /**
     * A topic with the broker's default replication factor.
     *
     * @param name topic name
     * @param partitions number of partitions
     * @return the topic spec
     */
    public static NewTopic topic(String name, int partitions) {
        return new NewTopic(name, Optional.of(partitions), Optional.empty());
    }

    /**
     * Creates the topics that do not exist yet and waits until every partition of every topic has a leader.
     * Existing topics are left as they are (a warning is logged when they have fewer partitions than asked).
     *
     * @param bootstrapServers cluster to talk to
     * @param clientOverrides extra Admin client settings (security, timeouts); may be empty
     * @param topics topics to ensure
     * @throws IllegalStateException when creation fails or does not finish within {@link #DEFAULT_TIMEOUT}
     */
    public static void create(String bootstrapServers, Map<String, String> clientOverrides, List<NewTopic> topics) {
        create(bootstrapServers, clientOverrides, topics, DEFAULT_TIMEOUT);
    }

    /**
     * As {@link #create(String, Map, List)} with an explicit timeout.
     *
     * @param bootstrapServers cluster to talk to
     * @param clientOverrides extra Admin client settings; may be empty
     * @param topics topics to ensure
     * @param timeout overall time limit
     */
    public static void create(String bootstrapServers, Map<String, String> clientOverrides, List<NewTopic> topics,
            Duration timeout) {
        if (topics.isEmpty()) {
            return;
        }
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "latentwatch-topics");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        props.putAll(clientOverrides);
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<String> names = topics.stream().map(NewTopic::name).collect(Collectors.toCollection(LinkedHashSet::new));
        try (Admin admin = Admin.create(props)) {
            List<String> created = new ArrayList<>();
            for (Map.Entry<String, KafkaFuture<Void>> e : admin.createTopics(topics).values().entrySet()) {
                try {
                    e.getValue().get(remainingMs(deadline), TimeUnit.MILLISECONDS);
                    created.add(e.getKey());
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + e.getKey() + " on " + bootstrapServers
                                + ": " + ex.getCause(), ex.getCause());
                    }
                }
            }
            Map<String, TopicDescription> described = awaitLeaders(admin, names, deadline);
            for (NewTopic t : topics) {
                int have = described.get(t.name()).partitions().size();
                if (t.numPartitions() > 0 && have < t.numPartitions()) {
                    LOG.warn("Topic {} exists with {} partitions, {} were asked for", t.name(), have, t.numPartitions());
                }
            }
            LOG.info("Topics ready on {}: {} (created {})", bootstrapServers, names, created);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics " + names, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("topics " + names + " not ready on " + bootstrapServers + " within "
                    + timeout.toMillis() + " ms", e);
        }
    }

    private static Map<String, TopicDescription> awaitLeaders(Admin admin, Set<String> names, long deadline)
            throws InterruptedException, TimeoutException {
        while (true) {
            try {
                Map<String, TopicDescription> d = admin.describeTopics(names).allTopicNames()
                        .get(remainingMs(deadline), TimeUnit.MILLISECONDS);
                boolean led = d.values().stream()
                        .allMatch(t -> t.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
                if (led) {
                    return d;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new IllegalStateException("cannot describe topics " + names + ": " + e.getCause(), e.getCause());
                }
            }
            remainingMs(deadline); // throws once the deadline has passed
            Thread.sleep(50);
        }
    }

    private static long remainingMs(long deadline) throws TimeoutException {
        long ms = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (ms <= 0) {
            throw new TimeoutException("deadline passed");
        }
        return ms;
    }
}
