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

    private static final long HOUR = 3_600_000L;

    @Test
    void eachSlotOfTheDayKeepsItsOwnRange() {
        // 4 slots of 6 h; whole range off, a slot's values beyond its own range by 100 % of its width are outside
        ValueRange.Settings daily = new ValueRange.Settings(0, 8, 4, 1.0);
        ValueRange.State s = ValueRange.State.EMPTY;
        for (int day = 0; day < 2; day++) {
            s = ValueRange.observe(daily, s, new float[] {1}, day * 24 * HOUR + 1 * HOUR).next();   // night: 1 .. 2
            s = ValueRange.observe(daily, s, new float[] {2}, day * 24 * HOUR + 2 * HOUR).next();
            s = ValueRange.observe(daily, s, new float[] {100}, day * 24 * HOUR + 13 * HOUR).next(); // noon: 100 .. 120
            s = ValueRange.observe(daily, s, new float[] {120}, day * 24 * HOUR + 14 * HOUR).next();
        }
        assertThat(s.slots()).extracting(ValueRange.Span::count).containsExactly(4L, 0L, 4L, 0L);
        long night = 2 * 24 * HOUR + 3 * HOUR;
        long noon = 2 * 24 * HOUR + 12 * HOUR;
        // 100 is an ordinary value at noon and unheard of at night (night accepts up to 2 + 1.0 * 1 = 3)
        assertThat(ValueRange.observe(daily, s, new float[] {100}, noon).outside()).isEmpty();
        assertThat(ValueRange.observe(daily, s, new float[] {100}, night).outside()).containsExactly(0);
        assertThat(ValueRange.observe(daily, s, new float[] {3}, night).outside()).isEmpty();
        assertThat(ValueRange.observe(daily, s, new float[] {3.5f}, night).outside()).containsExactly(0);
        // noon accepts 80 .. 140; a slot not yet seen its share of minHistory (8 / 4 = 2 records) is not checked
        assertThat(ValueRange.observe(daily, s, new float[] {79}, noon).outside()).containsExactly(0);
        assertThat(ValueRange.observe(daily, s, new float[] {1000}, 2 * 24 * HOUR + 7 * HOUR).outside()).isEmpty();
        // negative times (before 1970) fall into the right slot too
        assertThat(ValueRange.observe(daily, s, new float[] {100}, -24 * HOUR + 2 * HOUR).outside()).containsExactly(0);
    }

    @Test
    void theWholeRangeAndTheSlotsAreCheckedTogether() {
        ValueRange.Settings both = new ValueRange.Settings(0.25, 4, 2, 1.0);
        ValueRange.State s = ValueRange.State.EMPTY;
        float[] morning = {10, 20, 10, 20};
        float[] evening = {50, 60, 50, 60};
        for (int k = 0; k < 4; k++) {
            s = ValueRange.observe(both, s, new float[] {morning[k]}, k * HOUR).next();
            s = ValueRange.observe(both, s, new float[] {evening[k]}, 13 * HOUR + k * HOUR).next();
        }
        // 35: inside the whole range (10 .. 60) but 15 beyond the morning's 10 .. 20 (accepted 0 .. 30)
        assertThat(ValueRange.observe(both, s, new float[] {35}, 5 * HOUR).outside()).containsExactly(0);
        // 75: beyond the evening's accepted 40 .. 70 and the whole range's accepted -2.5 .. 72.5
        assertThat(ValueRange.observe(both, s, new float[] {75}, 14 * HOUR).outside()).containsExactly(0);
        assertThat(ValueRange.observe(both, s, new float[] {65}, 14 * HOUR).outside()).isEmpty();
        assertThat(ValueRange.State.fromBytes(s.toBytes())).isEqualTo(s);
    }

    @Test
    void theFirstReleasesStoredFormIsStillRead() {
        // format 1: count, features, min and max pairs, nothing about slots
        byte[] legacy = java.nio.ByteBuffer.allocate(1 + 8 + 4 + 16).put((byte) 1).putLong(3).putInt(1)
                .putDouble(10).putDouble(20).array();
        ValueRange.State s = ValueRange.State.fromBytes(legacy);
        assertThat(s).isEqualTo(ValueRange.State.wholeRange(3, new double[] {10}, new double[] {20}));
        // with slots now configured, the slots start afresh and the whole range goes on
        ValueRange.Result r = ValueRange.observe(new ValueRange.Settings(0.1, 3, 4, 1.0), s, new float[] {30}, 0L);
        assertThat(r.outside()).containsExactly(0);
        assertThat(r.next().slots()).extracting(ValueRange.Span::count).containsExactly(1L, 0L, 0L, 0L);
    }

    @Test
    void aLevelNeverHeldIsOutsideThoughEveryValueIsInsideTheValuesRange() {
        // levels are means of 2 values; whole range and slots off; levels checked once 2 have been seen
        ValueRange.Settings exact = new ValueRange.Settings(0, 2, 0, 0, 2, 0);
        ValueRange.State s = feed(exact, new float[] {0}, new float[] {10}, new float[] {0}, new float[] {10},
                new float[] {2}, new float[] {8});
        // levels so far: 5, 5, 5, 6, 5
        assertThat(s.level().count()).isEqualTo(6);
        assertThat(s.level().records()).isEqualTo(2);
        assertThat(s.level().levels().min()).containsExactly(5);
        assertThat(s.level().levels().max()).containsExactly(6);
        assertThat(ValueRange.observe(exact, s, new float[] {9}).outside()).containsExactly(0); // level 8.5
        assertThat(ValueRange.observe(exact, s, new float[] {4}).outside()).isEmpty();          // level 6
        assertThat(ValueRange.observe(exact, s, new float[] {1}).outside()).containsExactly(0); // level 4.5
        // widened by half the levels' width: 4.5 .. 6.5 accepted
        ValueRange.Settings half = new ValueRange.Settings(0, 2, 0, 0, 2, 0.5);
        assertThat(ValueRange.observe(half, s, new float[] {1}).outside()).isEmpty();
        assertThat(ValueRange.observe(half, s, new float[] {9}).outside()).containsExactly(0);
        // not before minHistory levels have been seen (5 here)
        ValueRange.Settings late = new ValueRange.Settings(0, 6, 0, 0, 2, 0);
        assertThat(ValueRange.observe(late, s, new float[] {9}).outside()).isEmpty();
        assertThat(ValueRange.State.fromBytes(s.toBytes())).isEqualTo(s);
        assertThat(exact.enabled()).isTrue();
    }

    @Test
    void aChangeOfLevelRecordsStartsTheLevelsAfresh() {
        ValueRange.Settings two = new ValueRange.Settings(0.1, 2, 0, 0, 2, 0.1);
        ValueRange.State s = feed(two, new float[] {0}, new float[] {10}, new float[] {0}, new float[] {10});
        ValueRange.State three = ValueRange.observe(new ValueRange.Settings(0.1, 2, 0, 0, 3, 0.1), s, new float[] {5}).next();
        assertThat(three.level().count()).isEqualTo(1);
        assertThat(three.level().records()).isEqualTo(3);
        assertThat(three.count()).isEqualTo(5);
        ValueRange.State off = ValueRange.observe(new ValueRange.Settings(0.1, 2), s, new float[] {5}).next();
        assertThat(off.level().records()).isZero();
        assertThat(off.level().count()).isZero();
        assertThatThrownBy(() -> new ValueRange.Settings(0.1, 2, 0, 0, ValueRange.Settings.MAX_LEVEL_RECORDS + 1, 0.1))
                .hasMessageContaining("levelRecords=1001");
        assertThatThrownBy(() -> new ValueRange.Settings(0.1, 2, 0, 0, 4, -1)).hasMessageContaining("levelTolerance=-1");
    }

    @Test
    void theSecondReleasesStoredFormIsStillRead() {
        // format 2: the whole range, then the number of slots (none here), nothing about levels
        byte[] slotsForm = java.nio.ByteBuffer.allocate(1 + 8 + 4 + 16 + 4).put((byte) 2).putLong(3).putInt(1)
                .putDouble(10).putDouble(20).putInt(0).array();
        ValueRange.State s = ValueRange.State.fromBytes(slotsForm);
        assertThat(s).isEqualTo(ValueRange.State.wholeRange(3, new double[] {10}, new double[] {20}));
        ValueRange.Result r = ValueRange.observe(new ValueRange.Settings(0.1, 3, 0, 0, 2, 0.1), s, new float[] {30});
        assertThat(r.outside()).containsExactly(0);
        assertThat(r.next().level().count()).isEqualTo(1);
    }
}
