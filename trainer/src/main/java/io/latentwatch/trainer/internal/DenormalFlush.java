package io.latentwatch.trainer.internal;

import com.sun.jna.Function;
import com.sun.jna.Pointer;

/**
 * Flushes denormal floats to zero on the calling thread while it trains, as PyTorch users do with
 * {@code torch.set_flush_denormal(True)}. Adam's first moment of a unit whose gradient stays zero (a dead ReLU)
 * shrinks by beta1 every step and reaches the denormal range within a few hundred steps; x86 arithmetic on
 * denormals is tens of times slower, which here more than doubled the time of an optimizer step on the notes'
 * Fashion-MNIST network. DJL does not expose the switch, so this calls libtorch's
 * {@code at::Context::setFlushDenormal} through JNA (Itanium C++ names: Linux and macOS).
 *
 * <p>The setting lives in a CPU control register of the calling thread: libtorch's intra-op worker threads keep
 * theirs, so with more than one intra-op thread only the caller's share of the work is flushed. Closing restores
 * the default (denormals kept), so Java code that runs on the thread afterwards sees IEEE arithmetic again.
 */
public final class DenormalFlush implements AutoCloseable {
    private static final Native NATIVE = Native.resolve();

    private final boolean active;

    private DenormalFlush(boolean active) {
        this.active = active;
    }

    /** Turns flushing on for the calling thread; a no-op (see {@link #status()}) where libtorch cannot be reached. */
    public static DenormalFlush onThisThread() {
        return new DenormalFlush(NATIVE.available() && NATIVE.set(true));
    }

    /** Whether this instance turned flushing on. */
    public boolean active() {
        return active;
    }

    /** For provenance: whether training flushes denormals, or why it cannot. */
    public static String status() {
        return NATIVE.available() ? "flushed to zero (training thread)" : "kept: " + NATIVE.unavailableReason();
    }

    @Override
    public void close() {
        if (active) {
            NATIVE.set(false);
        }
    }

    /** libtorch's global context and its setter, or why they could not be found. */
    private record Native(Pointer context, Function setFlushDenormal, String unavailableReason) {
        static Native resolve() {
            try {
                Pointer context = LibTorch.function("_ZN2at13globalContextEv").invokePointer(new Object[0]);
                Native found = new Native(context, LibTorch.function("_ZN2at7Context16setFlushDenormalEb"), null);
                boolean supported = found.set(true);
                found.set(false);
                return supported ? found : new Native(null, null, "this CPU cannot flush denormals");
            } catch (RuntimeException | LinkageError e) {
                return new Native(null, null, e.getMessage());
            }
        }

        boolean available() {
            return setFlushDenormal != null;
        }

        /** True when libtorch accepted (the CPU supports flushing). C++ bool travels in one byte. */
        boolean set(boolean on) {
            Object result = setFlushDenormal.invoke(Byte.class, new Object[] {context, (byte) (on ? 1 : 0)});
            return ((Byte) result) != 0;
        }
    }
}
