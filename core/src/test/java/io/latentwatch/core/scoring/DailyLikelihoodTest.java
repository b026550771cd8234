package io.latentwatch.core.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DailyLikelihoodTest {
    private static final long HOUR = 3_600_000L;
    private static final AnomalyLikelihood.Settings ENTITY = new AnomalyLikelihood.Settings(200, 20, 1, 0);

    /** Thirty days of a busy afternoon (scores about 10) and a quiet night (about 1), two slots of 12 h. */
    private static DailyLikelihood.State thirtyDays(Random r) {
        DailyLikelihood.State s = DailyLikelihood.State.EMPTY;
        for (int day = 0; day < 30; day++) {
            s = DailyLikelihood.observe(ENTITY, 2, s, Math.exp(0.1 * r.nextGaussian()), day * 24 * HOUR + 3 * HOUR).next();
            s = DailyLikelihood.observe(ENTITY, 2, s, 10 * Math.exp(0.1 * r.nextGaussian()), day * 24 * HOUR + 15 * HOUR)
                    .next();
        }
        return s;
    }

    @Test
    void aScoreOrdinaryAtItsBusyHourIsUnusualAtNight() {
        DailyLikelihood.State s = thirtyDays(new Random(1));
        long night = 30 * 24 * HOUR + 2 * HOUR;
        long afternoon = 30 * 24 * HOUR + 14 * HOUR;
        DailyLikelihood.Result atNight = DailyLikelihood.observe(ENTITY, 2, s, 10, night);
        DailyLikelihood.Result byDay = DailyLikelihood.observe(ENTITY, 2, s, 10, afternoon);
        assertThat(atNight.slot()).isZero();
        assertThat(byDay.slot()).isOne();
        assertThat(atNight.logScore()).isEqualTo(1.0); // a night's score ten times its usual
        assertThat(byDay.logScore()).isLessThan(0.3);
        assertThat(byDay.next().slots().get(1).count()).isEqualTo(31);
        assertThat(byDay.next().slots().get(0).count()).isEqualTo(30);
    }

    @Test
    void eachSlotIsTheLikelihoodOfItsOwnRecordsWithItsShareOfHistoryAndWarmUp() {
        AnomalyLikelihood.Settings slot = DailyLikelihood.slotSettings(ENTITY, 2);
        assertThat(slot).isEqualTo(new AnomalyLikelihood.Settings(100, 10, 1, 0));
        assertThat(DailyLikelihood.slotSettings(new AnomalyLikelihood.Settings(10, 5, 3, 5), 8))
                .isEqualTo(new AnomalyLikelihood.Settings(2, 1, 3, 5));
        Random r = new Random(2);
        DailyLikelihood.State daily = DailyLikelihood.State.EMPTY;
        AnomalyLikelihood.State nights = AnomalyLikelihood.State.EMPTY;
        for (int day = 0; day < 20; day++) {
            double night = Math.exp(0.2 * r.nextGaussian());
            DailyLikelihood.Result d = DailyLikelihood.observe(ENTITY, 2, daily, night, day * 24 * HOUR + HOUR);
            AnomalyLikelihood.Result alone = AnomalyLikelihood.observe(slot, nights, night);
            assertThat(d.slotResult()).isEqualTo(alone);
            nights = alone.next();
            daily = DailyLikelihood.observe(ENTITY, 2, d.next(), 5, day * 24 * HOUR + 13 * HOUR).next();
        }
        assertThat(daily.slots().get(0)).isEqualTo(nights);
    }

    @Test
    void stateRoundTripsThroughBytesAndAChangeOfSlotsStartsAfresh() {
        DailyLikelihood.State s = thirtyDays(new Random(3));
        assertThat(DailyLikelihood.State.fromBytes(s.toBytes())).isEqualTo(s);
        assertThat(DailyLikelihood.State.fromBytes(DailyLikelihood.State.EMPTY.toBytes()))
                .isEqualTo(DailyLikelihood.State.EMPTY);
        byte[] bytes = s.toBytes();
        assertThatThrownBy(() -> DailyLikelihood.State.fromBytes(java.util.Arrays.copyOf(bytes, bytes.length - 1)))
                .hasMessageContaining("not a");
        byte[] other = bytes.clone();
        other[0] = 9;
        assertThatThrownBy(() -> DailyLikelihood.State.fromBytes(other)).hasMessageContaining("not a daily likelihood");
        DailyLikelihood.State four = DailyLikelihood.observe(ENTITY, 4, s, 1, 0).next();
        assertThat(four.slots()).hasSize(4);
        assertThat(four.slots().get(0).count()).isEqualTo(1);
    }

    @Test
    void slotsOfTheDayFollowUtcEventTime() {
        assertThat(DaySlots.of(0, 8)).isZero();
        assertThat(DaySlots.of(3 * HOUR - 1, 8)).isZero();
        assertThat(DaySlots.of(3 * HOUR, 8)).isOne();
        assertThat(DaySlots.of(-HOUR, 8)).isEqualTo(7); // 23:00 the day before 1970
        assertThat(DaySlots.of(5 * 24 * HOUR + 23 * HOUR, 96)).isEqualTo(92);
        assertThatThrownBy(() -> DaySlots.of(0, 0)).hasMessageContaining("[1, 96]");
        assertThatThrownBy(() -> DaySlots.of(0, 97)).hasMessageContaining("[1, 96]");
    }
}
