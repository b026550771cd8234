package io.latentwatch.app;

import io.latentwatch.broker.EmbeddedKafkaBroker;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;

/** {@code latentwatch broker}: a local single-node Kafka for development. */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Starts a single-node KRaft Kafka broker on 127.0.0.1 (data in a temp dir) until Ctrl-C.")
final class BrokerCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            System.out.println("bootstrap.servers=" + broker.bootstrapServers());
            java.lang.Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
        }
        return 0;
    }
}
