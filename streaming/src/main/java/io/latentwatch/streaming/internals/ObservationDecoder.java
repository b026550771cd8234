package io.latentwatch.streaming.internals;

import io.latentwatch.core.features.InvalidRecordException;
import io.latentwatch.streaming.InputFormat;

/**
 * Turns an input record's bytes into a {@link DecodedObservation}. Implementations are thread-safe and
 * throw {@link InvalidRecordException} (never anything else) for bytes they cannot accept.
 */
public interface ObservationDecoder {

    /**
     * @param key record key, used as the entity when the payload has none; may be null
     * @param value record value; may be null
     * @param recordTimestamp the record's timestamp, used when the payload has none
     */
    DecodedObservation decode(byte[] key, byte[] value, long recordTimestamp);

    /** The decoder for a configured input format. */
    static ObservationDecoder forFormat(InputFormat format, int maxRecordBytes) {
        return switch (format) {
            case JSON -> new JsonObservationDecoder(maxRecordBytes);
            case AVRO -> new AvroObservationDecoder();
        };
    }
}
