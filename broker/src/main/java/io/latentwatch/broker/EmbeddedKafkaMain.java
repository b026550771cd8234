package io.latentwatch.broker;

/**
 * Starts an {@link EmbeddedKafkaBroker}, prints {@code bootstrap.servers=127.0.0.1:PORT} and runs until
 * Ctrl-C (or until the broker process dies, with a non-zero status).
 */
public final class EmbeddedKafkaMain {

    private EmbeddedKafkaMain() {
    }

    /**
     * @param args ignored
     * @throws InterruptedException when interrupted while waiting
     */
    public static void main(String[] args) throws InterruptedException {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
        System.out.println("bootstrap.servers=" + broker.bootstrapServers());
        System.out.println("# started in " + broker.lastStartupTime().toMillis() + " ms; broker log: "
                + broker.logFile() + "; Ctrl-C stops it");
        System.out.flush();
        int rc = broker.awaitExit();
        if (shuttingDown()) {
            return; // Ctrl-C: the broker's shutdown hook stopped it and cleans up
        }
        System.err.println("embedded Kafka broker exited on its own with status " + rc + "; last lines of its log:");
        System.err.println(broker.logTail());
        broker.close();
        System.exit(rc == 0 ? 1 : rc);
    }

    private static boolean shuttingDown() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
