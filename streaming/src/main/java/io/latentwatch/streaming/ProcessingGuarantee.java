package io.latentwatch.streaming;

import java.util.Locale;
import org.apache.kafka.streams.StreamsConfig;

/** The Kafka Streams processing guarantees this application supports. */
public enum ProcessingGuarantee {
    /** Transactions: each input record's outputs and state changes are committed atomically. */
    EXACTLY_ONCE_V2(StreamsConfig.EXACTLY_ONCE_V2),
    /** No transactions: after a crash some outputs may be written twice. */
    AT_LEAST_ONCE(StreamsConfig.AT_LEAST_ONCE);

    private final String configName;

    ProcessingGuarantee(String configName) {
        this.configName = configName;
    }

    /** The value Kafka Streams expects for {@code processing.guarantee}. */
    public String configName() {
        return configName;
    }

    static ProcessingGuarantee fromConfigName(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
