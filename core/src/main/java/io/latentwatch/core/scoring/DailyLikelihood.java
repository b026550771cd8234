package io.latentwatch.core.scoring;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The {@link AnomalyLikelihood anomaly likelihood} of a score against the entity's scores at the same time of day:
 * one set of statistics per slot of the day (UTC, by event time), each fed only the records of its slot.
 *
 * <p>Why: a model's errors are larger at busy hours (counts and loads are noisier when high), so the entity's one
 * set of statistics calls busy hours unusual and quiet hours never. Judged also against its slot, a record must be
 * unusual for its time of day; the caller takes the smaller of the two log scores.
 *
 * <p>Each slot sees about one record in {@code slots}, so it forgets over {@code history / slots} of its records and
 * warms up after {@code minHistory / slots} (at least 1), which spans as much time as the entity's own statistics.
 * Recent log scores are the slot's own, consecutive records within a slot. Pure: the caller keeps one {@link State}
 * per entity in a state store.
 */
public final class DailyLikelihood {
    private DailyLikelihood() {}

    /**
     * The statistics of one slot, from the entity's.
     *
     * @param entity the settings of the entity's own statistics
     * @param slots slots of the day, in [1, {@link DaySlots#MAX}]
     */
    public static AnomalyLikelihood.Settings slotSettings(AnomalyLikelihood.Settings entity, int slots) {
        return new AnomalyLikelihood.Settings(Math.max(2, entity.history() / slots),
                Math.max(1, entity.minHistory() / slots), entity.shortTerm(), entity.clipStd());
    }

    /**
     * One entity's statistics per slot of the day.
     *
     * @param slots the statistics of each slot (empty for an entity never seen)
     */
    public record State(List<AnomalyLikelihood.State> slots) {
        /** An entity never seen. */
        public static final State EMPTY = new State(List.of());
        private static final byte FORMAT = 1;

        public State {
            slots = List.copyOf(slots);
            if (slots.size() > DaySlots.MAX) {
                throw new IllegalArgumentException("not a daily likelihood: " + slots.size() + " slots");
            }
        }

        /** The form kept in a state store: a format byte, the number of slots, then each slot's length and bytes. */
        public byte[] toBytes() {
            List<byte[]> parts = new ArrayList<>(slots.size());
            int size = 1 + Integer.BYTES;
            for (AnomalyLikelihood.State s : slots) {
                byte[] part = s.toBytes();
                parts.add(part);
                size += Integer.BYTES + part.length;
            }
            ByteBuffer b = ByteBuffer.allocate(size).put(FORMAT).putInt(parts.size());
            for (byte[] part : parts) {
                b.putInt(part.length).put(part);
            }
            return b.array();
        }

        /** Reads what {@link #toBytes()} wrote. */
        public static State fromBytes(byte[] bytes) {
            if (bytes.length < 1 + Integer.BYTES || bytes[0] != FORMAT) {
                throw new IllegalArgumentException("not a daily likelihood (" + bytes.length + " bytes)");
            }
            try {
                ByteBuffer b = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
                int n = b.getInt();
                if (n < 0 || n > DaySlots.MAX) {
                    throw new IllegalArgumentException("not a daily likelihood (" + n + " slots)");
                }
                List<AnomalyLikelihood.State> slots = new ArrayList<>(n);
                for (int k = 0; k < n; k++) {
                    int length = b.getInt();
                    if (length < 0 || length > b.remaining()) {
                        throw new IllegalArgumentException("not a daily likelihood (slot " + k + ": " + length + " bytes)");
                    }
                    byte[] part = new byte[length];
                    b.get(part);
                    slots.add(AnomalyLikelihood.State.fromBytes(part));
                }
                if (b.hasRemaining()) {
                    throw new IllegalArgumentException("not a daily likelihood (" + b.remaining() + " bytes left over)");
                }
                return new State(slots);
            } catch (java.nio.BufferUnderflowException e) {
                throw new IllegalArgumentException("not a daily likelihood (" + bytes.length + " bytes: too short)");
            }
        }
    }

    /**
     * One record's outcome.
     *
     * @param slot the slot of the day the record fell in
     * @param slotResult the likelihood against that slot's statistics
     * @param next the entity's statistics with this record added to its slot
     */
    public record Result(int slot, AnomalyLikelihood.Result slotResult, State next) {
        public Result {
            Objects.requireNonNull(slotResult, "slotResult");
            Objects.requireNonNull(next, "next");
        }

        /** The log score against the slot's statistics (0 while the slot warms up). */
        public double logScore() {
            return slotResult.logScore();
        }
    }

    /**
     * Scores {@code score}, of a record at {@code eventTimeMillis}, against its slot's statistics in {@code before},
     * then adds it to them. A change of {@code slots} starts every slot afresh.
     *
     * @param entity the settings of the entity's own statistics ({@link #slotSettings} derives the slots')
     */
    public static Result observe(AnomalyLikelihood.Settings entity, int slots, State before, double score,
                                 long eventTimeMillis) {
        int slot = DaySlots.of(eventTimeMillis, slots);
        List<AnomalyLikelihood.State> states = new ArrayList<>(before.slots().size() == slots ? before.slots()
                : Collections.nCopies(slots, AnomalyLikelihood.State.EMPTY));
        AnomalyLikelihood.Result r = AnomalyLikelihood.observe(slotSettings(entity, slots), states.get(slot), score);
        states.set(slot, r.next());
        return new Result(slot, r, new State(states));
    }
}
