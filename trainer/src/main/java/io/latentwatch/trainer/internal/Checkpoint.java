package io.latentwatch.trainer.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * What training needs to resume after its last completed epoch: losses so far, early-stopping state, the
 * current and the best weights. Written atomically to {@code checkpoint.bin} after every epoch.
 *
 * @param fingerprint the settings and data shape the checkpoint belongs to; a mismatch is refused
 */
public record Checkpoint(String fingerprint, List<Double> trainLoss, List<Double> validationLoss,
                         List<Double> epochSeconds, double best, int sinceBest, float[][] params,
                         float[][] bestParams) {
    private static final int MAGIC = 0x4C57434B; // "LWCK"
    public static final String FILE = "checkpoint.bin";

    public Checkpoint {
        trainLoss = List.copyOf(trainLoss);
        validationLoss = List.copyOf(validationLoss);
        epochSeconds = List.copyOf(epochSeconds);
    }

    public void write(Path dir) {
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve(FILE + ".tmp");
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
                out.writeInt(MAGIC);
                out.writeUTF(fingerprint);
                writeList(out, trainLoss);
                writeList(out, validationLoss);
                writeList(out, epochSeconds);
                out.writeDouble(best);
                out.writeInt(sinceBest);
                writeParams(out, params);
                writeParams(out, bestParams);
            }
            Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a checkpoint to " + dir, e);
        }
    }

    /**
     * The checkpoint in {@code dir}, or null when there is none.
     *
     * @throws IllegalArgumentException when it belongs to other settings or data
     */
    public static Checkpoint readIfPresent(Path dir, String expectedFingerprint) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC) {
                throw new IllegalArgumentException(file + " is not a latentwatch checkpoint");
            }
            String fingerprint = in.readUTF();
            if (!fingerprint.equals(expectedFingerprint)) {
                throw new IllegalArgumentException(file + " was written for other settings or data: " + fingerprint
                        + "; this run is " + expectedFingerprint + ". Use another --checkpoint-dir or delete it.");
            }
            return new Checkpoint(fingerprint, readList(in), readList(in), readList(in), in.readDouble(), in.readInt(),
                    readParams(in), readParams(in));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + file, e);
        }
    }

    private static void writeList(DataOutputStream out, List<Double> values) throws IOException {
        out.writeInt(values.size());
        for (double v : values) {
            out.writeDouble(v);
        }
    }

    private static List<Double> readList(DataInputStream in) throws IOException {
        int n = in.readInt();
        List<Double> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            values.add(in.readDouble());
        }
        return values;
    }

    private static void writeParams(DataOutputStream out, float[][] params) throws IOException {
        out.writeInt(params.length);
        for (float[] p : params) {
            out.writeInt(p.length);
            for (float v : p) {
                out.writeFloat(v);
            }
        }
    }

    private static float[][] readParams(DataInputStream in) throws IOException {
        float[][] params = new float[in.readInt()][];
        for (int i = 0; i < params.length; i++) {
            params[i] = new float[in.readInt()];
            for (int j = 0; j < params[i].length; j++) {
                params[i][j] = in.readFloat();
            }
        }
        return params;
    }
}
