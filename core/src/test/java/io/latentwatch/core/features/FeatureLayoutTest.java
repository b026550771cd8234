package io.latentwatch.core.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureLayoutTest {
    private final FeatureLayout layout = new FeatureLayout(List.of("cpu", "mem"));

    @Test
    void ordersNamedFieldsByTheModel() {
        assertThat(layout.fromFields(Map.of("mem", 0.2, "cpu", 0.5, "extra", 9.0))).containsExactly(0.5f, 0.2f);
    }

    @Test
    void rejectsWhatTheModelCannotTake() {
        assertThatThrownBy(() -> layout.fromFields(Map.of("cpu", 1.0)))
                .isInstanceOfSatisfying(InvalidRecordException.class, e -> assertThat(e.reason()).isEqualTo(RejectionReason.MISSING_FIELD))
                .hasMessageContaining("mem");
        assertThatThrownBy(() -> layout.fromVector(List.of(1.0)))
                .isInstanceOfSatisfying(InvalidRecordException.class, e -> assertThat(e.reason()).isEqualTo(RejectionReason.WRONG_LENGTH));
        assertThatThrownBy(() -> layout.fromVector(List.of(1.0, Double.NaN)))
                .isInstanceOfSatisfying(InvalidRecordException.class, e -> assertThat(e.reason()).isEqualTo(RejectionReason.NON_FINITE));
        assertThatThrownBy(() -> layout.fromFields(Map.of("cpu", 1.0, "mem", Double.POSITIVE_INFINITY)))
                .isInstanceOfSatisfying(InvalidRecordException.class, e -> assertThat(e.reason()).isEqualTo(RejectionReason.NON_FINITE));
        assertThatThrownBy(() -> layout.fromVector(List.of(1.0, 1e300)))
                .isInstanceOfSatisfying(InvalidRecordException.class, e -> assertThat(e.reason()).isEqualTo(RejectionReason.NON_FINITE))
                .hasMessageContaining("mem");
    }
}
