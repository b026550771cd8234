package io.latentwatch.core.registry;

/** A registry operation that cannot be done: the message names the model, version or path and what is wrong. */
public final class RegistryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RegistryException(String message) {
        super(message);
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
