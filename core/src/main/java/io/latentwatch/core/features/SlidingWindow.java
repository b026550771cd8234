package io.latentwatch.core.features;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The last W rows of one entity with their event times, oldest first. Trainer (over a whole series, with
 * {@link #windows}) and streaming (one record at a time with {@link #offer}, kept in a state store as bytes) build
 * their windows with this one class, so a model sees the same layout in training and in serving.
 *
 * <p>{@link #offer} places a row by event time under a {@link WindowPolicy}: a row at or after the newest is
 * appended; a row up to the grace period older is inserted where its timestamp puts it (the oldest row drops out
 * when the window is full); an older one, or one older than every row a full window holds, is
 * {@link Placement#TOO_LATE} and changes nothing. A row more than the maximum gap after the newest resets the
 * window or first imputes the missing steps ({@link GapPolicy}).
 */
public final class SlidingWindow {
    /** Marks the current serialised form; the first form began with the (positive) window length. */
    private static final int FORMAT_V2 = -2;
    private static final int HEADER_BYTES = 4 * Integer.BYTES;
    private static final int V1_HEADER_BYTES = 3 * Integer.BYTES + Long.BYTES;

    /** Where {@link #offer} put a row. */
    public enum Placement {
        /** At the end: the row is the newest. */
        APPENDED,
        /** Before newer rows, in event-time order (it arrived late, within the grace period). */
        INSERTED,
        /** After a gap longer than the limit: the window was emptied, the row is its only one. */
        RESET,
        /** After a gap longer than the limit: missing steps were filled with the last row, then the row appended. */
        IMPUTED,
        /** Not placed: older than the grace period allows, or than every row of the full window. */
        TOO_LATE
    }

    private final int length;
    private final int features;
    /** Rows oldest first: row i at {@code [i * features, (i + 1) * features)}, i below count. */
    private final float[] rows;
    private final long[] times;
    private int count;

    public SlidingWindow(int length, int features) {
        if (length < 1 || features < 1) {
            throw new IllegalArgumentException("window length and features must be at least 1: " + length + ", " + features);
        }
        this.length = length;
        this.features = features;
        this.rows = new float[length * features];
        this.times = new long[length];
    }

    /** Adds a row as the newest, whatever its timestamp, evicting the oldest when full. */
    public void append(float[] row, long timestamp) {
        insertAt(count, row, timestamp);
    }

    /**
     * Places a row by event time under {@code policy} (see the class comment).
     *
     * @return where the row went; {@link Placement#TOO_LATE} leaves the window unchanged
     */
    public Placement offer(float[] row, long timestamp, WindowPolicy policy) {
        checkWidth(row);
        if (count == 0 || timestamp >= lastTimestamp()) {
            if (count > 0 && timestamp - lastTimestamp() > policy.maxGapMillis()) {
                return afterGap(row, timestamp, policy.gapPolicy());
            }
            append(row, timestamp);
            return Placement.APPENDED;
        }
        if (lastTimestamp() - timestamp > policy.graceMillis()) {
            return Placement.TOO_LATE;
        }
        int at = count;
        while (at > 0 && times[at - 1] > timestamp) {
            at--;
        }
        if (at == 0 && count == length) {
            return Placement.TOO_LATE; // it would be the oldest row of a full window, evicted at once
        }
        insertAt(at, row, timestamp);
        return Placement.INSERTED;
    }

    private Placement afterGap(float[] row, long timestamp, GapPolicy gapPolicy) {
        long step = medianSpacing();
        if (gapPolicy == GapPolicy.IMPUTE_LAST && step > 0) {
            long gap = timestamp - lastTimestamp();
            long missing = Math.min(length - 1L, Math.max(0L, Math.round((double) gap / step) - 1));
            float[] last = Arrays.copyOfRange(rows, (count - 1) * features, count * features);
            long t = lastTimestamp();
            for (long i = 0; i < missing; i++) {
                t += step;
                append(last, Math.min(t, timestamp));
            }
            append(row, timestamp);
            return Placement.IMPUTED;
        }
        count = 0;
        append(row, timestamp);
        return Placement.RESET;
    }

    /** Median of the positive spacings between consecutive rows; 0 when there is none. */
    private long medianSpacing() {
        long[] spacings = new long[Math.max(0, count - 1)];
        int n = 0;
        for (int i = 1; i < count; i++) {
            long d = times[i] - times[i - 1];
            if (d > 0) {
                spacings[n++] = d;
            }
        }
        if (n == 0) {
            return 0;
        }
        Arrays.sort(spacings, 0, n);
        return spacings[n / 2];
    }

    private void insertAt(int at, float[] row, long timestamp) {
        checkWidth(row);
        if (count == length) { // drop the oldest row to make room
            System.arraycopy(rows, features, rows, 0, (length - 1) * features);
            System.arraycopy(times, 1, times, 0, length - 1);
            count--;
            at--;
        }
        System.arraycopy(rows, at * features, rows, (at + 1) * features, (count - at) * features);
        System.arraycopy(times, at, times, at + 1, count - at);
        System.arraycopy(row, 0, rows, at * features, features);
        times[at] = timestamp;
        count++;
    }

    private void checkWidth(float[] row) {
        if (row.length != features) {
            throw new IllegalArgumentException("row has " + row.length + " values, window holds " + features);
        }
    }

    public boolean isFull() {
        return count == length;
    }

    public int size() {
        return count;
    }

    public int length() {
        return length;
    }

    /** Values per row. */
    public int features() {
        return features;
    }

    /** Event time of the newest row, or {@link Long#MIN_VALUE} when empty. */
    public long lastTimestamp() {
        return count == 0 ? Long.MIN_VALUE : times[count - 1];
    }

    /** Event times of the rows, oldest first. */
    public long[] timestamps() {
        return Arrays.copyOf(times, count);
    }

    /** The rows flattened time-major, oldest first: {@code [t0 f0, t0 f1, ..., t(W-1) f(n-1)]}. */
    public float[] flatten() {
        if (!isFull()) {
            throw new IllegalStateException("window holds " + count + " of " + length + " rows");
        }
        return rows.clone();
    }

    /** Every full window over a series of rows, in order: rows.length - W + 1 of them. */
    public static List<float[]> windows(float[][] rows, int length) {
        int features = rows.length == 0 ? 1 : rows[0].length;
        SlidingWindow window = new SlidingWindow(length, features);
        List<float[]> out = new ArrayList<>(Math.max(0, rows.length - length + 1));
        for (int i = 0; i < rows.length; i++) {
            window.append(rows[i], i);
            if (window.isFull()) {
                out.add(window.flatten());
            }
        }
        return out;
    }

    /** Serialised form for a state store: a format marker, length, features, count, W timestamps, W rows. */
    public byte[] toBytes() {
        ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + length * Long.BYTES + rows.length * Float.BYTES);
        buf.putInt(FORMAT_V2).putInt(length).putInt(features).putInt(count);
        for (long t : times) {
            buf.putLong(t);
        }
        for (float v : rows) {
            buf.putFloat(v);
        }
        return buf.array();
    }

    /**
     * Reads what {@link #toBytes()} wrote, or the first form (a ring without per-row times: its rows all get the
     * newest row's time); rejects bytes of another shape.
     */
    public static SlidingWindow fromBytes(byte[] bytes) {
        if (bytes.length < HEADER_BYTES) {
            throw new IllegalArgumentException("window state is " + bytes.length + " bytes, too short");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        int first = buf.getInt();
        if (first != FORMAT_V2) {
            return fromV1Bytes(bytes);
        }
        int length = buf.getInt();
        int features = buf.getInt();
        int count = buf.getInt();
        if (length < 1 || features < 1 || count < 0 || count > length
                || bytes.length != HEADER_BYTES + (long) length * Long.BYTES + (long) length * features * Float.BYTES) {
            throw new IllegalArgumentException("window state does not match its header: length=" + length
                    + " features=" + features + " count=" + count + " bytes=" + bytes.length);
        }
        SlidingWindow w = new SlidingWindow(length, features);
        w.count = count;
        for (int i = 0; i < length; i++) {
            w.times[i] = buf.getLong();
        }
        for (int i = 0; i < w.rows.length; i++) {
            w.rows[i] = buf.getFloat();
        }
        return w;
    }

    private static SlidingWindow fromV1Bytes(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        if (bytes.length < V1_HEADER_BYTES) {
            throw new IllegalArgumentException("window state is " + bytes.length + " bytes, too short");
        }
        int length = buf.getInt();
        int features = buf.getInt();
        int position = buf.getInt();
        long last = buf.getLong();
        if (length < 1 || features < 1 || bytes.length != V1_HEADER_BYTES + (long) length * features * Float.BYTES) {
            throw new IllegalArgumentException("window state does not match its header: length=" + length
                    + " features=" + features + " bytes=" + bytes.length);
        }
        float[] ring = new float[length * features];
        for (int i = 0; i < ring.length; i++) {
            ring[i] = buf.getFloat();
        }
        int count = position / length;
        int next = position % length;
        int oldest = count == length ? next : 0;
        SlidingWindow w = new SlidingWindow(length, features);
        for (int t = 0; t < count; t++) {
            w.append(Arrays.copyOfRange(ring, ((oldest + t) % length) * features, ((oldest + t) % length + 1) * features),
                    last);
        }
        return w;
    }
}
