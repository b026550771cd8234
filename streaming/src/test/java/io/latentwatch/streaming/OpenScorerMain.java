package io.latentwatch.streaming;

import io.latentwatch.core.bundle.ModelBundle;
import io.latentwatch.core.scoring.OnnxScorer;
import io.latentwatch.core.scoring.ScorerOptions;
import java.nio.file.Path;

/**
 * Run in a fresh JVM by {@link LatentwatchStreamsAppTest}: opens a scorer through {@link OnnxScorer#open} from a thread
 * with a 1 MiB stack (a Kafka Streams thread's default) and scores one row. Exit status 0 and a score on stdout
 * mean it survived; a JVM killed by SIGSEGV exits 139.
 */
public final class OpenScorerMain {
    private OpenScorerMain() {}

    public static void main(String[] args) throws Exception {
        ModelBundle bundle = ModelBundle.load(Path.of(args[0]));
        Thread t = new Thread(null, () -> {
            try (OnnxScorer scorer = OnnxScorer.open(bundle, ScorerOptions.defaults())) {
                float[] row = new float[bundle.manifest().inputWidth()];
                System.out.println("score=" + scorer.score(new float[][] {row}).score(0));
            }
        }, "one-mebibyte-stack", 1L << 20);
        t.start();
        t.join();
    }
}
