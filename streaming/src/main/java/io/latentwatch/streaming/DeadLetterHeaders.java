package io.latentwatch.streaming;

/**
 * Headers of a record on the dead-letter topic. The record's key and value are the rejected input's bytes,
 * unchanged; these headers (UTF-8 strings) say why it was rejected and where it came from. Headers the input
 * record carried are kept, except earlier {@code latentwatch.*} ones, which are replaced.
 */
public final class DeadLetterHeaders {
    /** Common prefix of every header below. */
    public static final String PREFIX = "latentwatch.";
    /** The {@link io.latentwatch.core.features.RejectionReason} name, for example {@code MALFORMED_JSON}. */
    public static final String REASON = PREFIX + "reason";
    /** A human-readable message saying what exactly was wrong. */
    public static final String ERROR = PREFIX + "error";
    /** Topic the record was read from. */
    public static final String SOURCE_TOPIC = PREFIX + "source.topic";
    /** Partition the record was read from, in decimal. */
    public static final String SOURCE_PARTITION = PREFIX + "source.partition";
    /** Offset of the record, in decimal. */
    public static final String SOURCE_OFFSET = PREFIX + "source.offset";

    private DeadLetterHeaders() {}
}
