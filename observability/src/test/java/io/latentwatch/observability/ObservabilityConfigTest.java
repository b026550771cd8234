package io.latentwatch.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class ObservabilityConfigTest {

    @Test
    void defaultsBindLocallyOnAFixedPort() {
        ObservabilityConfig c = ObservabilityConfig.defaults();
        assertThat(c.httpEnabled()).isTrue();
        assertThat(c.httpAddress()).isEqualTo("127.0.0.1");
        assertThat(c.httpPort()).isEqualTo(8080);
        assertThat(c.latestAlerts()).isEqualTo(20);
    }

    @Test
    void picksItsOwnKeysAndIgnoresTheStreamingOnes() {
        ObservabilityConfig c = ObservabilityConfig.fromMap(Map.of("http.port", "0", "http.address", "0.0.0.0",
                "input.topic", "metrics", "kafka.security.protocol", "SSL"));
        assertThat(c.httpPort()).isZero();
        assertThat(c.httpAddress()).isEqualTo("0.0.0.0");
        assertThat(ObservabilityConfig.defines("http.port")).isTrue();
        assertThat(ObservabilityConfig.defines("input.topic")).isFalse();
    }

    @Test
    void badValuesNameTheKeyAndTheAllowedValues() {
        assertThatThrownBy(() -> ObservabilityConfig.fromMap(Map.of("http.port", "70000")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("http.port").hasMessageContaining("[0,...,65535]");
        assertThatThrownBy(() -> ObservabilityConfig.fromMap(Map.of("http.port", "eighty")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("http.port");
        assertThatThrownBy(() -> ObservabilityConfig.fromMap(Map.of("http.address", "local host")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("http.address")
                .hasMessageContaining("host name or IP address");
        assertThatThrownBy(() -> ObservabilityConfig.fromMap(Map.of("dashboard.latest-alerts", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("dashboard.latest-alerts");
        assertThatThrownBy(() -> ObservabilityConfig.fromMap(Map.of("http.enabled", "maybe")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("http.enabled");
    }
}
