package io.latentwatch.trainer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class DenormalFlushTest {

    /** Half the smallest normal float: a denormal, computed by libtorch on this thread (one intra-op thread). */
    private static float halfOfMinNormal() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            return manager.create(new float[] {Float.MIN_NORMAL}).mul(0.5f).getFloat(0);
        }
    }

    @Test
    void libtorchFlushesDenormalsOnlyWhileOn() {
        assumeTrue("amd64".equals(System.getProperty("os.arch")) && "Linux".equals(System.getProperty("os.name")),
                "the denormal switch is checked on x86-64 Linux, where CI runs");
        assertThat(DenormalFlush.status()).startsWith("flushed");
        assertThat(halfOfMinNormal()).isEqualTo(Float.MIN_NORMAL / 2);
        try (DenormalFlush flush = DenormalFlush.onThisThread()) {
            assertThat(flush.active()).isTrue();
            assertThat(halfOfMinNormal()).isZero();
        }
        assertThat(halfOfMinNormal()).isEqualTo(Float.MIN_NORMAL / 2);
    }
}
