package io.latentwatch.streaming.internals;

/**
 * A pending record decoded and featurised with its micro-batch.
 *
 * @param source the record as it came in (dead letters carry its bytes)
 * @param entity the observation's entity
 * @param eventTimestamp the observation's own timestamp
 * @param row the featurised row (one record, not a window)
 */
record DecodedRecord(PendingRecord source, String entity, long eventTimestamp, float[] row) {
    long recordTimestamp() {
        return source.recordTimestamp();
    }
}
