package io.latentwatch.it;

import io.latentwatch.broker.KafkaEndpoint;
import io.latentwatch.broker.KafkaEndpoints;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of the tests that run on a real broker: one broker per test class, chosen by {@link KafkaEndpoints#start()}
 * (KAFKA_BOOTSTRAP, Testcontainers, or the embedded KRaft broker on 127.0.0.1).
 */
abstract class RealBrokerTest {
    static KafkaEndpoint kafka;

    @BeforeAll
    static void startKafka() {
        kafka = KafkaEndpoints.start();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }
}
