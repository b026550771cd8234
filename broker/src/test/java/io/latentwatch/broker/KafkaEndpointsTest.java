package io.latentwatch.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class KafkaEndpointsTest {

    @Test
    @Timeout(180)
    void startedEndpointRoundTrips100Records() throws Exception {
        try (KafkaEndpoint endpoint = KafkaEndpoints.start()) {
            assertThat(endpoint.kind()).isIn(KafkaEndpoint.EXTERNAL, KafkaEndpoint.TESTCONTAINERS, KafkaEndpoint.EMBEDDED);
            assertThat(endpoint.embeddedBroker().isPresent()).isEqualTo(KafkaEndpoint.EMBEDDED.equals(endpoint.kind()));
            String topic = "roundtrip-" + System.nanoTime();
            Topics.create(endpoint.bootstrapServers(), Map.of(), List.of(Topics.topic(topic, 1)));
            // idempotent: a second create of the same topic is fine
            Topics.create(endpoint.bootstrapServers(), Map.of(), List.of(Topics.topic(topic, 1)));

            TestClients.produce(endpoint.bootstrapServers(), topic, 0, 100);

            List<String> expected = IntStream.range(0, 100).mapToObj(i -> "v" + i).collect(Collectors.toList());
            assertThat(TestClients.consumeValues(endpoint.bootstrapServers(), topic, 100)).isEqualTo(expected);
        }
    }

    @Test
    void kafkaBootstrapMeansExternalAndNothingStarted() {
        KafkaEndpoint endpoint = KafkaEndpoints.start(Map.of(KafkaEndpoints.ENV_BOOTSTRAP, " broker.example:9092 "), null);
        assertThat(endpoint.kind()).isEqualTo(KafkaEndpoint.EXTERNAL);
        assertThat(endpoint.bootstrapServers()).isEqualTo("broker.example:9092");
        assertThat(endpoint.embeddedBroker()).isEmpty();
        endpoint.close();
        endpoint.close();
    }

    @Test
    void unknownForcedModeIsRejected() {
        assertThatThrownBy(() -> KafkaEndpoints.start(Map.of(), "zookeeper"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zookeeper");
    }

    @Test
    @Timeout(30)
    void dockerProbeNeverThrowsAndIsQuickWithoutDockerEndpoint() {
        long t0 = System.nanoTime();
        String why = KafkaEndpoints.dockerAvailability(Map.of());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        // null means Docker answered; otherwise a reason. Either way no exception and bounded time.
        assertThat(ms).isLessThanOrEqualTo(KafkaEndpoints.DOCKER_PROBE_TIMEOUT.toMillis() + 2_000);
        if (why != null && why.startsWith("no Docker endpoint")) {
            assertThat(ms).isLessThan(1_000);
        }
    }
}
