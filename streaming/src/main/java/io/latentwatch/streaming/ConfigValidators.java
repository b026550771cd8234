package io.latentwatch.streaming;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Validators shared by latentwatch's config classes. */
public final class ConfigValidators {
    private ConfigValidators() {}

    /**
     * Wraps a range validator so that its error states the whole allowed range: Kafka's own message names only
     * the bound that was crossed.
     */
    public static ConfigDef.Validator wholeRange(ConfigDef.Validator range) {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                try {
                    range.ensureValid(name, value);
                } catch (ConfigException e) {
                    throw new ConfigException(name, value, "must be in " + range);
                }
            }

            @Override
            public String toString() {
                return range.toString();
            }
        };
    }
}
