package io.latentwatch.trainer.internal;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.LibUtils;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import java.nio.file.Path;

/**
 * The libtorch that DJL loaded, opened again through JNA for the few functions DJL's JNI does not expose.
 * Functions are looked up by their Itanium C++ names (Linux, macOS): a name encodes the argument types, so a
 * libtorch whose signature changed fails the lookup instead of being called wrongly. Callers check what they
 * pass, because a C++ exception cannot cross the C frames of a JNA call (the process would abort).
 */
final class LibTorch {
    private static final Opened OPENED = Opened.open();

    private LibTorch() {}

    /** The function; {@link UnsatisfiedLinkError} saying why when it cannot be had. */
    static Function function(String mangledName) {
        if (OPENED.library() == null) {
            throw new UnsatisfiedLinkError(OPENED.failure());
        }
        return OPENED.library().getFunction(mangledName);
    }

    private record Opened(NativeLibrary library, String failure) {
        static Opened open() {
            try {
                Engine.getEngine("PyTorch"); // loads libtorch, so its directory is known
                Path lib = Path.of(LibUtils.getLibtorchPath()).resolve(System.mapLibraryName("torch_cpu"));
                return new Opened(NativeLibrary.getInstance(lib.toString()), null);
            } catch (RuntimeException | LinkageError e) {
                return new Opened(null, "libtorch not reachable through JNA: " + e.getClass().getSimpleName() + ": "
                        + e.getMessage());
            }
        }
    }
}
