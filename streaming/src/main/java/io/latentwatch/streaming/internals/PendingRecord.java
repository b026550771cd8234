package io.latentwatch.streaming.internals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A decoded, featurised record waiting for its micro-batch, with what a dead letter of it would need (original
 * key, value, headers and source position). {@link #toBytes()} / {@link #fromBytes(byte[])} is its form in the
 * pending-record store.
 *
 * @param entity the observation's entity
 * @param eventTimestamp the observation's own timestamp
 * @param recordTimestamp the input record's timestamp, which every output keeps
 * @param row the featurised row (one record, not a window)
 * @param key original key bytes, possibly null
 * @param value original value bytes, possibly null
 * @param headers original headers
 * @param sourceTopic input topic, null when unknown
 * @param sourcePartition input partition (-1 when unknown)
 * @param sourceOffset input offset (-1 when unknown)
 */
public record PendingRecord(String entity, long eventTimestamp, long recordTimestamp, float[] row, byte[] key,
                            byte[] value, Headers headers, String sourceTopic, int sourcePartition, long sourceOffset) {
    private static final byte FORMAT_VERSION = 1;

    /** Serialised form: a version byte, then fixed fields, then length-prefixed byte strings (-1: null). */
    public byte[] toBytes() {
        byte[] entityBytes = entity.getBytes(StandardCharsets.UTF_8);
        byte[] topicBytes = sourceTopic == null ? null : sourceTopic.getBytes(StandardCharsets.UTF_8);
        Header[] hs = headers == null ? new Header[0] : headers.toArray();
        int size = 1 + 8 + 8 + 4 + 8 + 4 + row.length * 4 + lengthOf(entityBytes) + lengthOf(key) + lengthOf(value)
                + lengthOf(topicBytes) + 4;
        byte[][] headerKeys = new byte[hs.length][];
        for (int i = 0; i < hs.length; i++) {
            headerKeys[i] = hs[i].key().getBytes(StandardCharsets.UTF_8);
            size += lengthOf(headerKeys[i]) + lengthOf(hs[i].value());
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.put(FORMAT_VERSION).putLong(eventTimestamp).putLong(recordTimestamp).putInt(sourcePartition)
                .putLong(sourceOffset).putInt(row.length);
        for (float v : row) {
            buf.putFloat(v);
        }
        put(buf, entityBytes);
        put(buf, key);
        put(buf, value);
        put(buf, topicBytes);
        buf.putInt(hs.length);
        for (int i = 0; i < hs.length; i++) {
            put(buf, headerKeys[i]);
            put(buf, hs[i].value());
        }
        return buf.array();
    }

    /** Reads what {@link #toBytes()} wrote. */
    public static PendingRecord fromBytes(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        byte version = buf.get();
        if (version != FORMAT_VERSION) {
            throw new IllegalArgumentException("pending record of unknown format version " + version);
        }
        long eventTimestamp = buf.getLong();
        long recordTimestamp = buf.getLong();
        int partition = buf.getInt();
        long offset = buf.getLong();
        float[] row = new float[buf.getInt()];
        for (int i = 0; i < row.length; i++) {
            row[i] = buf.getFloat();
        }
        String entity = new String(get(buf), StandardCharsets.UTF_8);
        byte[] key = get(buf);
        byte[] value = get(buf);
        byte[] topic = get(buf);
        int headerCount = buf.getInt();
        RecordHeaders headers = new RecordHeaders();
        for (int i = 0; i < headerCount; i++) {
            String hk = new String(get(buf), StandardCharsets.UTF_8);
            headers.add(hk, get(buf));
        }
        return new PendingRecord(entity, eventTimestamp, recordTimestamp, row, key, value, headers,
                topic == null ? null : new String(topic, StandardCharsets.UTF_8), partition, offset);
    }

    private static int lengthOf(byte[] b) {
        return 4 + (b == null ? 0 : b.length);
    }

    private static void put(ByteBuffer buf, byte[] b) {
        if (b == null) {
            buf.putInt(-1);
        } else {
            buf.putInt(b.length).put(b);
        }
    }

    private static byte[] get(ByteBuffer buf) {
        int n = buf.getInt();
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        buf.get(b);
        return b;
    }
}
