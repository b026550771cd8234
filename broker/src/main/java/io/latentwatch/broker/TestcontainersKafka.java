package io.latentwatch.broker;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/** Keeps every Testcontainers class reference here, so they load only when Docker is actually tried. */
final class TestcontainersKafka {

    private TestcontainersKafka() {
    }

    static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    static KafkaEndpoint start(String image) {
        KafkaContainer container = new KafkaContainer(DockerImageName.parse(image)
                .asCompatibleSubstituteFor("apache/kafka"));
        try {
            container.start();
            return KafkaEndpoint.testcontainers(container.getBootstrapServers(), container::stop);
        } catch (RuntimeException e) {
            try {
                container.stop();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
