package io.latentwatch.observability.internals;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.latentwatch.observability.LatentwatchMetrics;
import io.latentwatch.schemas.Alert;
import io.latentwatch.schemas.AlertEvent;
import io.latentwatch.schemas.FeatureContribution;
import io.latentwatch.schemas.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

class DashboardDataTest {

    @Test
    void latestAlertsCarryTheirTopFeaturesAndTheFeaturesOutsideTheirRange() throws Exception {
        Alert alert = Alert.newBuilder().setEntity("pump-7").setTimestamp(1_000L).setScore(0.8)
                .setWarningThreshold(0.3).setCriticalThreshold(0.5).setSeverity(Severity.CRITICAL)
                .setModelId("m").setModelVersion("2").setEvent(AlertEvent.OPEN).setEpisodeId("pump-7@1000")
                .setTopFeatures(List.of(FeatureContribution.newBuilder().setName("temperature").setShare(0.9)
                        .setObserved(120.0).setReconstructed(80.0).build()))
                .setOutOfRange(List.of("temperature")).build();
        try (LatentwatchMetrics metrics = new LatentwatchMetrics(0.3, 0.5)) {
            JsonNode json = new ObjectMapper().readTree(
                    new DashboardData(metrics, () -> "RUNNING", () -> List.of(alert)).json());
            JsonNode a = json.get("latestAlerts").get(0);
            assertThat(a.get("entity").asText()).isEqualTo("pump-7");
            assertThat(a.get("model").asText()).isEqualTo("m@2");
            assertThat(a.get("topFeatures").get(0).get("name").asText()).isEqualTo("temperature");
            assertThat(a.get("outOfRange")).hasSize(1);
            assertThat(a.get("outOfRange").get(0).asText()).isEqualTo("temperature");
        }
    }
}
