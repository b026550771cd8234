package io.latentwatch.streaming.internals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * An input record waiting for its micro-batch, as it came in: what decoding, scoring and a dead letter of it need
 * (original key, value, headers, timestamp and source position). It is decoded with its batch.
 * {@link #toBytes()} / {@link #fromBytes(byte[])} is its form in the {@link PendingBatchStore}.
 *
 * @param key original key bytes, possibly null
 * @param value original value bytes, possibly null
 * @param headers original headers
 * @param recordTimestamp the input record's timestamp, which every output keeps
 * @param sourceTopic input topic, null when unknown
 * @param sourcePartition input partition (-1 when unknown)
 * @param sourceOffset input offset (-1 when unknown)
 */
public record PendingRecord(byte[] key, byte[] value, Headers headers, long recordTimestamp, String sourceTopic,
                            int sourcePartition, long sourceOffset) {
    /** Version 1 (earlier releases) also held the decoded entity, event time and row; they are skipped on reading. */
    private static final byte DECODED_FORMAT = 1;
    private static final byte FORMAT_VERSION = 2;

    /** Key plus value bytes (what {@code input.max-record-bytes} limits). */
    public long size() {
        return (key == null ? 0L : key.length) + (value == null ? 0L : value.length);
    }

    /** Serialised form: a version byte, then fixed fields, then length-prefixed byte strings (-1: null). */
    public byte[] toBytes() {
        byte[] topicBytes = sourceTopic == null ? null : sourceTopic.getBytes(StandardCharsets.UTF_8);
        Header[] hs = headers == null ? new Header[0] : headers.toArray();
        int size = 1 + 8 + 4 + 8 + lengthOf(key) + lengthOf(value) + lengthOf(topicBytes) + 4;
        byte[][] headerKeys = new byte[hs.length][];
        for (int i = 0; i < hs.length; i++) {
            headerKeys[i] = hs[i].key().getBytes(StandardCharsets.UTF_8);
            size += lengthOf(headerKeys[i]) + lengthOf(hs[i].value());
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.put(FORMAT_VERSION).putLong(recordTimestamp).putInt(sourcePartition).putLong(sourceOffset);
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

    /** Reads what {@link #toBytes()} wrote, or what earlier releases wrote (format version 1). */
    public static PendingRecord fromBytes(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        byte version = buf.get();
        if (version != FORMAT_VERSION && version != DECODED_FORMAT) {
            throw new IllegalArgumentException("pending record of unknown format version " + version);
        }
        if (version == DECODED_FORMAT) {
            buf.getLong(); // event time: decoded again with the batch
        }
        long recordTimestamp = buf.getLong();
        int partition = buf.getInt();
        long offset = buf.getLong();
        if (version == DECODED_FORMAT) {
            int rowLength = buf.getInt();
            buf.position(buf.position() + rowLength * Float.BYTES); // the row
            get(buf); // the entity
        }
        byte[] key = get(buf);
        byte[] value = get(buf);
        byte[] topic = get(buf);
        int headerCount = buf.getInt();
        RecordHeaders headers = new RecordHeaders();
        for (int i = 0; i < headerCount; i++) {
            String hk = new String(get(buf), StandardCharsets.UTF_8);
            headers.add(hk, get(buf));
        }
        return new PendingRecord(key, value, headers, recordTimestamp,
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
