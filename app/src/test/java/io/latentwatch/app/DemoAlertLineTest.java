package io.latentwatch.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.latentwatch.schemas.Alert;
import io.latentwatch.schemas.AlertEvent;
import io.latentwatch.schemas.FeatureContribution;
import io.latentwatch.schemas.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The line {@code latentwatch demo} prints for an alert event. */
class DemoAlertLineTest {
    private static Alert.Builder alert() {
        return Alert.newBuilder().setEntity("cpu").setTimestamp(0L).setScore(1.0).setWarningThreshold(0.7)
                .setCriticalThreshold(0.9).setSeverity(Severity.CRITICAL).setModelId("m").setModelVersion("1")
                .setEvent(AlertEvent.OPEN).setTopFeatures(List.of(FeatureContribution.newBuilder().setName("value[t-0]")
                        .setShare(0.5).setObserved(99.0).setReconstructed(40.0).build()));
    }

    @Test
    void namesTheTopFeatureAndTheFeaturesOutsideTheirRange() {
        String line = DemoCommand.format(alert().setOutOfRange(List.of("value")).build());
        assertThat(line).startsWith("ALERT OPEN   CRITICAL cpu")
                .contains("top=value[t-0] (observed 99.00, reconstructed 40.00, 50% of error)")
                .endsWith(" outside_range=value");
        assertThat(DemoCommand.format(alert().build())).doesNotContain("outside_range");
    }
}
