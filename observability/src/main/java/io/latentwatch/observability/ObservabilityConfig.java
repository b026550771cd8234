package io.latentwatch.observability;

import io.latentwatch.streaming.ConfigValidators;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Configuration of the HTTP side of the service: {@code /metrics}, {@code /health/*} and the dashboard.
 *
 * <p>Every key has a name constant, a documented default and a validator; a wrong value fails at construction
 * with a {@link ConfigException} naming the key and its allowed values. The keys live beside the streaming keys in
 * one properties file: {@link #fromMap(Map)} picks its own and {@link #defines(String)} tells which they are.
 */
public final class ObservabilityConfig extends AbstractConfig {

    public static final String HTTP_ENABLED_CONFIG = "http.enabled";
    private static final String HTTP_ENABLED_DOC = "Serve /metrics, /health/live, /health/ready and the dashboard over HTTP.";

    public static final String HTTP_ADDRESS_CONFIG = "http.address";
    private static final String HTTP_ADDRESS_DOC = "Address the HTTP server binds: 127.0.0.1 keeps it local; 0.0.0.0 serves every "
            + "interface (containers).";

    public static final String HTTP_PORT_CONFIG = "http.port";
    private static final String HTTP_PORT_DOC = "TCP port of the HTTP server; 0 picks any free port (the log and the demo print it).";

    public static final String DASHBOARD_LATEST_ALERTS_CONFIG = "dashboard.latest-alerts";
    private static final String DASHBOARD_LATEST_ALERTS_DOC = "How many of the latest alerts the dashboard lists (read back "
            + "from the alerts topic, committed ones only).";

    /** The port used when none is configured. */
    public static final int DEFAULT_HTTP_PORT = 8080;

    private static final ConfigDef CONFIG = new ConfigDef()
            .define(HTTP_ENABLED_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM, HTTP_ENABLED_DOC)
            .define(HTTP_ADDRESS_CONFIG, Type.STRING, "127.0.0.1", new HostValidator(), Importance.HIGH, HTTP_ADDRESS_DOC)
            .define(HTTP_PORT_CONFIG, Type.INT, DEFAULT_HTTP_PORT, ConfigValidators.wholeRange(Range.between(0, 65535)), Importance.HIGH, HTTP_PORT_DOC)
            .define(DASHBOARD_LATEST_ALERTS_CONFIG, Type.INT, 20, ConfigValidators.wholeRange(Range.between(1, 1000)), Importance.LOW,
                    DASHBOARD_LATEST_ALERTS_DOC);

    /** Parses and validates the keys of this config found in {@code values}; other keys are ignored. */
    public ObservabilityConfig(Map<?, ?> values) {
        super(CONFIG, own(values), false);
    }

    /** As the constructor. */
    public static ObservabilityConfig fromMap(Map<String, ?> values) {
        return new ObservabilityConfig(values);
    }

    /** The defaults: HTTP on 127.0.0.1:8080. */
    public static ObservabilityConfig defaults() {
        return new ObservabilityConfig(Map.of());
    }

    /** Whether {@code key} is one of this config's keys (so callers can keep it from other configs). */
    public static boolean defines(String key) {
        return CONFIG.names().contains(key);
    }

    /** The names of all keys. */
    public static Set<String> names() {
        return CONFIG.names();
    }

    /** The definition of every key. */
    public static ConfigDef configDef() {
        return new ConfigDef(CONFIG);
    }

    public boolean httpEnabled() {
        return getBoolean(HTTP_ENABLED_CONFIG);
    }

    public String httpAddress() {
        return getString(HTTP_ADDRESS_CONFIG);
    }

    public int httpPort() {
        return getInt(HTTP_PORT_CONFIG);
    }

    public int latestAlerts() {
        return getInt(DASHBOARD_LATEST_ALERTS_CONFIG);
    }

    /** The configuration reference as Markdown rows (same layout as the streaming reference). */
    public static String configReferenceMarkdown() {
        StringBuilder md = new StringBuilder();
        for (ConfigDef.ConfigKey key : CONFIG.configKeys().values()) {
            md.append("| `").append(key.name).append("` | `").append(ConfigDef.convertToString(key.defaultValue, key.type))
                    .append("` | ").append(key.validator == null ? "[true, false]" : key.validator).append(" | ")
                    .append(key.documentation).append(" |\n");
        }
        return md.toString();
    }

    private static Map<String, Object> own(Map<?, ?> values) {
        Map<String, Object> mine = new TreeMap<>();
        values.forEach((k, v) -> {
            if (defines(String.valueOf(k))) {
                mine.put(String.valueOf(k), v);
            }
        });
        return mine;
    }

    /** A host name or IP literal; resolving it is left to bind time, which reports the address it could not use. */
    private static final class HostValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (!(value instanceof String s) || s.isBlank() || !s.matches("[A-Za-z0-9.:\\-\\[\\]%]+")) {
                throw new ConfigException(name, value, "must be " + this);
            }
        }

        @Override
        public String toString() {
            return "a host name or IP address, e.g. 127.0.0.1 or 0.0.0.0";
        }
    }
}
