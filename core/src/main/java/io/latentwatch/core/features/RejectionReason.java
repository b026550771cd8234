package io.latentwatch.core.features;

/** Why a record could not be scored; written to the dead-letter topic's reason header. */
public enum RejectionReason {
    /** The bytes are not JSON, or not an object of the expected shape. */
    MALFORMED_JSON,
    /** The bytes are not an Observation in Avro single-object encoding (or are another schema). */
    MALFORMED_AVRO,
    /** The record has no key and no entity field. */
    MISSING_ENTITY,
    /** A field the model needs is absent, or neither values nor fields are given. */
    MISSING_FIELD,
    /** A dense vector whose length differs from the model's feature count. */
    WRONG_LENGTH,
    /** NaN or an infinite value. */
    NON_FINITE,
    /** The record is larger than the configured limit. */
    TOO_LARGE,
    /** The model failed on this record's batch. */
    SCORING_FAILED,
    /**
     * The record's event time is further behind its entity's newest windowed record than the grace period
     * ({@code windows.grace-ms}), so it cannot be placed in the entity's window.
     */
    LATE_RECORD
}
