package io.latentwatch.app;

/** Process-wide defaults set before any library reads them. */
final class Runtime {
    private Runtime() {}

    static void configureDefaults() {
        // Nothing is downloaded at run time: the PyTorch native library ships in a Maven jar.
        setIfAbsent("ai.djl.offline", "true");
        // One intra-op thread: on small machines PyTorch's spinning threads slow training down.
        setIfAbsent("ai.djl.pytorch.num_threads", "1");
        setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
        setIfAbsent("org.apache.avro.SERIALIZABLE_PACKAGES", "io.latentwatch.schemas");
        setIfAbsent("java.awt.headless", "true");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
