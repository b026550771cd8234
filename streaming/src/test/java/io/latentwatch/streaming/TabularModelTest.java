package io.latentwatch.streaming;

import io.latentwatch.core.bundle.ModelBundle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the topology tests on the tabular model of {@link ScoringHarness}: the model is trained once per class,
 * and each test gets fresh drivers (own state directories) that are closed after it.
 */
abstract class TabularModelTest {
    @TempDir
    static Path models;
    static ModelBundle bundle;

    @TempDir
    Path state;
    private final List<ScoringHarness> open = new ArrayList<>();

    @BeforeAll
    static void train() {
        bundle = ScoringHarness.trainTabular(models);
    }

    @AfterEach
    void closeDrivers() {
        open.forEach(ScoringHarness::close);
    }

    /** A driver on the tabular model with these settings over the harness defaults. */
    ScoringHarness harness(Map<String, Object> overrides) {
        ScoringHarness h = new ScoringHarness(bundle, state.resolve("s" + open.size()), overrides);
        open.add(h);
        return h;
    }
}
