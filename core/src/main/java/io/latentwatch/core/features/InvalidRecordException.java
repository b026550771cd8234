package io.latentwatch.core.features;

/** A record that cannot be featurised; carries the reason the dead-letter topic records. */
public final class InvalidRecordException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final RejectionReason reason;

    public InvalidRecordException(RejectionReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public InvalidRecordException(RejectionReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public RejectionReason reason() {
        return reason;
    }
}
