package io.latentwatch.core.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ValueRangeTest {
    private static final ValueRange.Settings TEN_PERCENT = new ValueRange.Settings(0.1, 3);

    private static ValueRange.State feed(ValueRange.Settings settings, float[]... rows) {
        ValueRange.State s = ValueRange.State.EMPTY;
        for (float[] row : rows) {
            s = ValueRange.observe(settings, s, row).next();
        }
        return s;
    }

    @Test
    void flagsValuesBeyondTheSeenRangeWidenedByTheTolerance() {
        ValueRange.Settings quarter = new ValueRange.Settings(0.25, 3); // binary fractions: the edges are exact
        // feature 0 seen in [10, 20] (width 10: accepted [7.5, 22.5]); feature 1 in [0, 1] (accepted [-0.25, 1.25])
        ValueRange.State s = feed(quarter, new float[] {10, 0}, new float[] {20, 1}, new float[] {15, 0.5f});
        assertThat(ValueRange.observe(quarter, s, new float[] {22.5f, 1.25f}).outside()).isEmpty();
        assertThat(ValueRange.observe(quarter, s, new float[] {7.5f, -0.25f}).outside()).isEmpty();
        assertThat(ValueRange.observe(quarter, s, new float[] {22.51f, 0.5f}).outside()).containsExactly(0);
        assertThat(ValueRange.observe(quarter, s, new float[] {7.4f, 1.26f}).outside()).containsExactly(0, 1);
        assertThat(ValueRange.observe(quarter, s, new float[] {15, -0.26f}).outside()).containsExactly(1);
        assertThat(ValueRange.observe(quarter, s, new float[] {15, -0.26f}).anyOutside()).isTrue();
        assertThat(ValueRange.observe(quarter, s, new float[] {15, 0}).anyOutside()).isFalse();
    }

    @Test
    void aValueOutsideWidensTheRangeSoItsRepeatIsNot() {
        ValueRange.State s = feed(TEN_PERCENT, new float[] {10}, new float[] {20}, new float[] {15});
        ValueRange.Result high = ValueRange.observe(TEN_PERCENT, s, new float[] {30});
        assertThat(high.outside()).containsExactly(0);
        assertThat(high.next().min()).containsExactly(10);
        assertThat(high.next().max()).containsExactly(30);
        assertThat(high.next().count()).isEqualTo(4);
        assertThat(ValueRange.observe(TEN_PERCENT, high.next(), new float[] {30}).outside()).isEmpty();
        // the new width (20) widens the accepted range too: up to 32
        assertThat(ValueRange.observe(TEN_PERCENT, high.next(), new float[] {32}).outside()).isEmpty();
        assertThat(ValueRange.observe(TEN_PERCENT, high.next(), new float[] {32.5f}).outside()).containsExactly(0);
    }

    @Test
    void nothingIsFlaggedWhileWarmingUpOnAConstantFeatureOrWhenOff() {
        ValueRange.State two = feed(TEN_PERCENT, new float[] {10}, new float[] {20});
        assertThat(ValueRange.observe(TEN_PERCENT, two, new float[] {1000}).outside()).isEmpty(); // 2 < minHistory 3
        ValueRange.State constant = feed(TEN_PERCENT, new float[] {5}, new float[] {5}, new float[] {5}, new float[] {5});
        assertThat(ValueRange.observe(TEN_PERCENT, constant, new float[] {6}).outside()).isEmpty(); // no range yet
        ValueRange.State warm = feed(TEN_PERCENT, new float[] {10}, new float[] {20}, new float[] {15});
        ValueRange.Result off = ValueRange.observe(ValueRange.Settings.OFF, warm, new float[] {1000});
        assertThat(off.outside()).isEmpty();
        assertThat(off.next().max()).containsExactly(1000); // the range is still kept
        assertThat(ValueRange.Settings.OFF.enabled()).isFalse();
    }

    @Test
    void stateRoundTripsThroughBytesAndRejectsOtherBytes() {
        ValueRange.State s = feed(TEN_PERCENT, new float[] {10, -1}, new float[] {20, 3});
        assertThat(ValueRange.State.fromBytes(s.toBytes())).isEqualTo(s);
        assertThat(ValueRange.State.fromBytes(ValueRange.State.EMPTY.toBytes())).isEqualTo(ValueRange.State.EMPTY);
        byte[] bytes = s.toBytes();
        assertThatThrownBy(() -> ValueRange.State.fromBytes(java.util.Arrays.copyOf(bytes, bytes.length - 1)))
                .hasMessageContaining("not a value range");
        bytes[0] = 7;
        assertThatThrownBy(() -> ValueRange.State.fromBytes(bytes)).hasMessageContaining("not a value range");
    }

    @Test
    void refusesBadSettingsAndRecordsOfAnotherWidth() {
        assertThatThrownBy(() -> new ValueRange.Settings(-0.1, 1)).hasMessageContaining("tolerance=-0.1");
        assertThatThrownBy(() -> new ValueRange.Settings(0.1, 0)).hasMessageContaining("minHistory=0");
        ValueRange.State s = feed(TEN_PERCENT, new float[] {10, 0});
        assertThatThrownBy(() -> ValueRange.observe(TEN_PERCENT, s, new float[] {1}))
                .hasMessageContaining("2 features, the record 1");
        assertThatThrownBy(() -> ValueRange.observe(TEN_PERCENT, s, new float[] {1, Float.NaN}))
                .hasMessageContaining("not finite");
    }
}
