package io.latentwatch.streaming.internals;

import io.latentwatch.core.features.InvalidRecordException;
import io.latentwatch.core.features.RejectionReason;
import io.latentwatch.streaming.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Builds the headers of dead-letter records; the one place that knows their layout. */
public final class DeadLetters {
    /** Headers count towards the record size: keep messages short (exception chains can be long). */
    static final int MAX_ERROR_CHARS = 1000;

    private DeadLetters() {}

    /**
     * The input's headers without earlier {@code latentwatch.*} ones (a record replayed from the dead-letter
     * topic must not carry two reasons), plus this rejection's.
     *
     * @param original headers of the rejected record, may be null
     * @param topic source topic, null when unknown
     * @param partition source partition, ignored when topic is null
     * @param offset source offset, ignored when topic is null
     */
    public static Headers headers(Headers original, RejectionReason reason, String error, String topic, int partition,
                                  long offset) {
        RecordHeaders headers = new RecordHeaders();
        if (original != null) {
            for (Header h : original) {
                if (!h.key().startsWith(DeadLetterHeaders.PREFIX)) {
                    headers.add(h);
                }
            }
        }
        add(headers, DeadLetterHeaders.REASON, reason.name());
        add(headers, DeadLetterHeaders.ERROR, truncate(error));
        if (topic != null) {
            add(headers, DeadLetterHeaders.SOURCE_TOPIC, topic);
            add(headers, DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(partition));
            add(headers, DeadLetterHeaders.SOURCE_OFFSET, Long.toString(offset));
        }
        return headers;
    }

    /** The reason an exception carries, or SCORING_FAILED for anything that is not a rejection. */
    public static RejectionReason reasonOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InvalidRecordException ire) {
                return ire.reason();
            }
        }
        return RejectionReason.SCORING_FAILED;
    }

    static String truncate(String s) {
        String m = s == null ? "" : s;
        return m.length() <= MAX_ERROR_CHARS ? m : m.substring(0, MAX_ERROR_CHARS) + "...";
    }

    private static void add(Headers headers, String key, String value) {
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
