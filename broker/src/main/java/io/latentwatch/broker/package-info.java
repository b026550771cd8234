/**
 * The Kafka cluster used by the demo and the tests: {@link io.latentwatch.broker.KafkaEndpoints#start()} picks
 * {@code KAFKA_BOOTSTRAP}, a Testcontainers broker, or an {@link io.latentwatch.broker.EmbeddedKafkaBroker}
 * (a KRaft broker in a child JVM bound to 127.0.0.1); {@link io.latentwatch.broker.Topics} creates topics.
 */
package io.latentwatch.broker;
