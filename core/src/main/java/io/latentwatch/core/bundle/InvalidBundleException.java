package io.latentwatch.core.bundle;

/** A model bundle that must not be served: the message says what is wrong and where. */
public final class InvalidBundleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidBundleException(String message) {
        super(message);
    }

    public InvalidBundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
