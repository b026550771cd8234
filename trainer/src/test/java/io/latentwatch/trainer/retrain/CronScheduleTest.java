package io.latentwatch.trainer.retrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class CronScheduleTest {
    private static final ZonedDateTime T0 = ZonedDateTime.of(2026, 11, 23, 18, 7, 42, 0, ZoneOffset.UTC); // a Monday

    private static ZonedDateTime next(String cron, ZonedDateTime after) {
        return CronSchedule.parse(cron).next(after);
    }

    private static ZonedDateTime utc(int y, int mo, int d, int h, int mi) {
        return ZonedDateTime.of(y, mo, d, h, mi, 0, 0, ZoneOffset.UTC);
    }

    @Test
    void commonSchedules() {
        assertThat(next("* * * * *", T0)).isEqualTo(utc(2026, 11, 23, 18, 8));
        assertThat(next("*/15 * * * *", T0)).isEqualTo(utc(2026, 11, 23, 18, 15));
        assertThat(next("0 3 * * *", T0)).isEqualTo(utc(2026, 11, 24, 3, 0));
        assertThat(next("30 2 * * mon-fri", utc(2026, 11, 27, 3, 0))).as("Friday after 02:30: next Monday")
                .isEqualTo(utc(2026, 11, 30, 2, 30));
        assertThat(next("0 0 1 jan,jul *", T0)).isEqualTo(utc(2027, 1, 1, 0, 0));
        assertThat(next("0 12 * * 7", T0)).as("7 is Sunday").isEqualTo(utc(2026, 11, 29, 12, 0));
        assertThat(next("5-10/5 9 * * *", T0)).isEqualTo(utc(2026, 11, 24, 9, 5));
        assertThat(next("0 0 29 2 *", T0)).as("leap day").isEqualTo(utc(2028, 2, 29, 0, 0));
    }

    @Test
    void nextIsStrictlyAfterAndSecondsAreDropped() {
        assertThat(next("7 18 * * *", utc(2026, 11, 23, 18, 7))).isEqualTo(utc(2026, 11, 24, 18, 7));
        assertThat(next("8 18 * * *", T0)).isEqualTo(utc(2026, 11, 23, 18, 8));
    }

    @Test
    void bothDayFieldsRestrictedMatchEither() {
        // the 1st of the month or any Friday, as crontab(5) reads it
        assertThat(next("0 0 1 * fri", T0)).isEqualTo(utc(2026, 11, 27, 0, 0));
        assertThat(next("0 0 1 * fri", utc(2026, 11, 28, 0, 0))).isEqualTo(utc(2026, 12, 1, 0, 0));
    }

    @Test
    void followsTheZoneOfTheTimeGiven() {
        ZonedDateTime berlin = ZonedDateTime.of(2026, 3, 29, 1, 30, 0, 0, ZoneId.of("Europe/Berlin"));
        assertThat(next("0 3 * * *", berlin).toOffsetDateTime().getOffset()).isEqualTo(ZoneOffset.ofHours(2));
        assertThat(next("0 3 * * *", berlin).getHour()).isEqualTo(3);
    }

    @Test
    void errorsNameTheFieldAndWhatItAllows() {
        assertThatThrownBy(() -> CronSchedule.parse("0 3 * *")).hasMessageContaining("5 fields");
        assertThatThrownBy(() -> CronSchedule.parse("60 * * * *")).hasMessageContaining("minute").hasMessageContaining("0-59");
        assertThatThrownBy(() -> CronSchedule.parse("0 24 * * *")).hasMessageContaining("hour").hasMessageContaining("0-23");
        assertThatThrownBy(() -> CronSchedule.parse("0 0 * foo *")).hasMessageContaining("month").hasMessageContaining("jan-dec");
        assertThatThrownBy(() -> CronSchedule.parse("0 0 * * 8")).hasMessageContaining("day of week");
        assertThatThrownBy(() -> CronSchedule.parse("0 5-1 * * *")).hasMessageContaining("backwards");
        assertThatThrownBy(() -> CronSchedule.parse("*/0 * * * *")).hasMessageContaining("step");
        assertThatThrownBy(() -> CronSchedule.parse("0 0 31 2 *")).hasMessageContaining("never fires");
    }
}
