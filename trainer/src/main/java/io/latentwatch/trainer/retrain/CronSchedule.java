package io.latentwatch.trainer.retrain;

import java.time.DayOfWeek;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.Locale;
import java.util.Objects;

/**
 * A five-field cron expression ({@code minute hour day-of-month month day-of-week}), as crontab(5) reads them:
 * each field is {@code *}, a number, a range {@code a-b}, a step {@code *}{@code /n} or {@code a-b/n}, or a comma
 * list of these; months and days of the week also by their English three-letter names; day of week 0-7 with 0 and 7
 * Sunday. When both day fields are restricted, a day matches either (crontab's rule). Times are in the zone of the
 * time given to {@link #next}.
 *
 * <p>Immutable; {@link #parse} says which field is wrong and what it allows.
 */
public final class CronSchedule {
    private static final String[] FIELDS = {"minute", "hour", "day of month", "month", "day of week"};
    private static final int[] MIN = {0, 0, 1, 1, 0};
    private static final int[] MAX = {59, 23, 31, 12, 7};
    private static final String[] MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
    private static final String[] DAYS = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    /** Far enough to find the next 29 February of a leap year that matches a restricted day of week. */
    private static final int MAX_YEARS_AHEAD = 30;

    private final String expression;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek; // 0-6, Sunday 0
    private final boolean dayOfMonthRestricted;
    private final boolean dayOfWeekRestricted;

    private CronSchedule(String expression, BitSet[] fields, boolean domRestricted, boolean dowRestricted) {
        this.expression = expression;
        this.minutes = fields[0];
        this.hours = fields[1];
        this.daysOfMonth = fields[2];
        this.months = fields[3];
        this.daysOfWeek = fields[4];
        this.dayOfMonthRestricted = domRestricted;
        this.dayOfWeekRestricted = dowRestricted;
    }

    /**
     * Parses an expression.
     *
     * @throws IllegalArgumentException naming the field and what it allows
     */
    public static CronSchedule parse(String expression) {
        Objects.requireNonNull(expression, "expression");
        String[] parts = expression.strip().split("\\s+");
        if (parts.length != 5) {
            throw new IllegalArgumentException("a cron expression has 5 fields (minute hour day-of-month month "
                    + "day-of-week), '" + expression + "' has " + (expression.isBlank() ? 0 : parts.length));
        }
        BitSet[] fields = new BitSet[5];
        for (int f = 0; f < 5; f++) {
            fields[f] = field(parts[f].toLowerCase(Locale.ROOT), f);
        }
        if (fields[4].get(7)) { // 7 is Sunday too
            fields[4].set(0);
            fields[4].clear(7);
        }
        boolean dom = !parts[2].startsWith("*");
        boolean dow = !parts[4].startsWith("*");
        if (fields[2].cardinality() > 0 && fields[3].cardinality() > 0 && dom && !dow && !anyMonthHasDay(fields)) {
            throw new IllegalArgumentException("'" + expression + "' never fires: no month it names has those days");
        }
        return new CronSchedule(expression.strip(), fields, dom, dow);
    }

    private static boolean anyMonthHasDay(BitSet[] fields) {
        int[] longest = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        for (int m = fields[3].nextSetBit(1); m >= 0; m = fields[3].nextSetBit(m + 1)) {
            if (fields[2].nextSetBit(1) <= longest[m - 1]) {
                return true;
            }
        }
        return false;
    }

    private static BitSet field(String text, int f) {
        BitSet out = new BitSet(MAX[f] + 1);
        for (String item : text.split(",", -1)) {
            String range = item;
            int step = 1;
            int slash = item.indexOf('/');
            if (slash >= 0) {
                range = item.substring(0, slash);
                step = number(item.substring(slash + 1), f, 1, MAX[f] == 0 ? 1 : MAX[f] + 1, "step");
            }
            int from;
            int to;
            if (range.equals("*")) {
                from = MIN[f];
                to = f == 4 ? 6 : MAX[f];
            } else if (range.contains("-")) {
                String[] ends = range.split("-", -1);
                if (ends.length != 2) {
                    throw bad(f, item);
                }
                from = value(ends[0], f);
                to = value(ends[1], f);
                if (from > to) {
                    throw new IllegalArgumentException("cron " + FIELDS[f] + ": range '" + item + "' runs backwards");
                }
            } else {
                from = value(range, f);
                to = slash >= 0 ? (f == 4 ? 6 : MAX[f]) : from;
            }
            for (int v = from; v <= to; v += step) {
                out.set(v);
            }
        }
        return out;
    }

    private static int value(String text, int f) {
        String[] names = f == 3 ? MONTHS : f == 4 ? DAYS : null;
        if (names != null) {
            for (int i = 0; i < names.length; i++) {
                if (names[i].equals(text)) {
                    return f == 3 ? i + 1 : i;
                }
            }
        }
        return number(text, f, MIN[f], MAX[f], "value");
    }

    private static int number(String text, int f, int min, int max, String what) {
        int v;
        try {
            v = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw bad(f, text);
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException("cron " + FIELDS[f] + ": " + what + " " + v + " is outside " + min + "-" + max);
        }
        return v;
    }

    private static IllegalArgumentException bad(int f, String text) {
        String allowed = "*, a number " + MIN[f] + "-" + MAX[f] + (f == 3 ? " or jan-dec" : f == 4 ? " or sun-sat" : "")
                + ", a range a-b, a step */n or a-b/n, or a comma list of these";
        return new IllegalArgumentException("cron " + FIELDS[f] + ": '" + text + "' is not " + allowed);
    }

    /** The first matching minute strictly after {@code after}, in its zone (seconds are 0). */
    public ZonedDateTime next(ZonedDateTime after) {
        ZonedDateTime t = after.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        ZonedDateTime limit = after.plusYears(MAX_YEARS_AHEAD);
        while (t.isBefore(limit)) {
            if (!months.get(t.getMonthValue())) {
                t = t.withDayOfMonth(1).withHour(0).withMinute(0).plusMonths(1);
            } else if (!dayMatches(t)) {
                t = t.withHour(0).withMinute(0).plusDays(1);
            } else if (!hours.get(t.getHour())) {
                t = t.withMinute(0).plusHours(1);
            } else if (!minutes.get(t.getMinute())) {
                t = t.plusMinutes(1);
            } else {
                return t;
            }
        }
        throw new IllegalStateException("'" + expression + "' does not fire within " + MAX_YEARS_AHEAD + " years");
    }

    private boolean dayMatches(ZonedDateTime t) {
        boolean dom = daysOfMonth.get(t.getDayOfMonth());
        DayOfWeek d = t.getDayOfWeek();
        boolean dow = daysOfWeek.get(d.getValue() % 7);
        if (dayOfMonthRestricted && dayOfWeekRestricted) {
            return dom || dow;
        }
        return dom && dow;
    }

    @Override
    public String toString() {
        return expression;
    }
}
