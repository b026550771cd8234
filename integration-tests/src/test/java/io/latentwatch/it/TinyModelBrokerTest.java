package io.latentwatch.it;

import io.latentwatch.core.bundle.ModelBundle;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Base of the reliability tests: a real broker per class and the tiny model of {@link Reliability}, trained once. */
abstract class TinyModelBrokerTest extends RealBrokerTest {
    @TempDir
    static Path shared;
    static ModelBundle bundle;

    @BeforeAll
    static void trainTinyModel() {
        bundle = Reliability.trainTinyModel(shared.resolve("bundle"));
    }
}
