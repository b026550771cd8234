package io.latentwatch.core.features;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The last W rows of one entity, oldest first. Trainer (over a whole series) and streaming (one record at
 * a time, kept in a state store as bytes) build their windows with this one class, so a model sees the same
 * layout in training and in serving.
 */
public final class SlidingWindow {
    private static final int HEADER_BYTES = 3 * Integer.BYTES + Long.BYTES;

    private final int length;
    private final int features;
    private final float[] ring;
    private int next;
    private int count;
    private long lastTimestamp = Long.MIN_VALUE;

    public SlidingWindow(int length, int features) {
        if (length < 1 || features < 1) {
            throw new IllegalArgumentException("window length and features must be at least 1: " + length + ", " + features);
        }
        this.length = length;
        this.features = features;
        this.ring = new float[length * features];
    }

    /** Adds a row, evicting the oldest when full. */
    public void append(float[] row, long timestamp) {
        if (row.length != features) {
            throw new IllegalArgumentException("row has " + row.length + " values, window holds " + features);
        }
        System.arraycopy(row, 0, ring, next * features, features);
        next = (next + 1) % length;
        count = Math.min(count + 1, length);
        lastTimestamp = timestamp;
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

    /** Event time of the newest row, or {@link Long#MIN_VALUE} when empty. */
    public long lastTimestamp() {
        return lastTimestamp;
    }

    /** The rows flattened time-major, oldest first: {@code [t0 f0, t0 f1, ..., t(W-1) f(n-1)]}. */
    public float[] flatten() {
        if (!isFull()) {
            throw new IllegalStateException("window holds " + count + " of " + length + " rows");
        }
        float[] out = new float[length * features];
        int oldest = next; // when full, the slot to be overwritten next holds the oldest row
        for (int t = 0; t < length; t++) {
            System.arraycopy(ring, ((oldest + t) % length) * features, out, t * features, features);
        }
        return out;
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

    /** Serialised form for a state store. */
    public byte[] toBytes() {
        ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + ring.length * Float.BYTES);
        buf.putInt(length).putInt(features).putInt(count * length + next).putLong(lastTimestamp);
        for (float v : ring) {
            buf.putFloat(v);
        }
        return buf.array();
    }

    /** Reads what {@link #toBytes()} wrote; rejects bytes of another shape. */
    public static SlidingWindow fromBytes(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        if (bytes.length < HEADER_BYTES) {
            throw new IllegalArgumentException("window state is " + bytes.length + " bytes, too short");
        }
        int length = buf.getInt();
        int features = buf.getInt();
        int position = buf.getInt();
        long last = buf.getLong();
        if (length < 1 || features < 1 || bytes.length != HEADER_BYTES + (long) length * features * Float.BYTES) {
            throw new IllegalArgumentException("window state does not match its header: length=" + length
                    + " features=" + features + " bytes=" + bytes.length);
        }
        SlidingWindow w = new SlidingWindow(length, features);
        w.count = position / length;
        w.next = position % length;
        w.lastTimestamp = last;
        for (int i = 0; i < w.ring.length; i++) {
            w.ring[i] = buf.getFloat();
        }
        return w;
    }
}
