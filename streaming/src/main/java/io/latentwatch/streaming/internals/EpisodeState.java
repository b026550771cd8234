package io.latentwatch.streaming.internals;

import io.latentwatch.core.scoring.Contribution;
import io.latentwatch.schemas.Severity;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The running alert episode of one entity, as kept in the episode store. {@link #toBytes()} /
 * {@link #fromBytes(byte[])} is its form there.
 *
 * @param id episode id: entity, '@', and {@code start}
 * @param start event time of the first anomalous record
 * @param lastAnomalous event time of the latest anomalous record
 * @param peakScore highest score so far
 * @param peakSeverity highest severity so far
 * @param peakFeatures top contributions of the peak record
 * @param reportedSeverity severity of the last event emitted; null while the episode is not yet announced (shorter
 *     than the minimum duration)
 * @param lastEventAt event time of the last event emitted (meaningless while not announced)
 */
public record EpisodeState(String id, long start, long lastAnomalous, double peakScore, Severity peakSeverity,
                           List<Contribution> peakFeatures, Severity reportedSeverity, long lastEventAt) {
    private static final byte FORMAT_VERSION = 1;

    public EpisodeState {
        peakFeatures = List.copyOf(peakFeatures);
    }

    /** Whether OPEN was emitted. */
    public boolean announced() {
        return reportedSeverity != null;
    }

    /** Serialised form: a version byte, fixed fields, then the id and the contributions. */
    public byte[] toBytes() {
        byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
        List<byte[]> names = new ArrayList<>();
        int size = 1 + 8 + 8 + 8 + 1 + 1 + 8 + 4 + idBytes.length + 4;
        for (Contribution c : peakFeatures) {
            byte[] n = c.name().getBytes(StandardCharsets.UTF_8);
            names.add(n);
            size += 4 + n.length + 3 * 8;
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.put(FORMAT_VERSION).putLong(start).putLong(lastAnomalous).putDouble(peakScore)
                .put((byte) peakSeverity.ordinal()).put((byte) (reportedSeverity == null ? -1 : reportedSeverity.ordinal()))
                .putLong(lastEventAt).putInt(idBytes.length).put(idBytes).putInt(peakFeatures.size());
        for (int i = 0; i < peakFeatures.size(); i++) {
            Contribution c = peakFeatures.get(i);
            buf.putInt(names.get(i).length).put(names.get(i)).putDouble(c.share()).putDouble(c.observed())
                    .putDouble(c.reconstructed());
        }
        return buf.array();
    }

    /** Reads what {@link #toBytes()} wrote. */
    public static EpisodeState fromBytes(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        byte version = buf.get();
        if (version != FORMAT_VERSION) {
            throw new IllegalArgumentException("episode state of unknown format version " + version);
        }
        long start = buf.getLong();
        long lastAnomalous = buf.getLong();
        double peakScore = buf.getDouble();
        Severity peakSeverity = Severity.values()[buf.get()];
        byte reported = buf.get();
        long lastEventAt = buf.getLong();
        String id = string(buf);
        int n = buf.getInt();
        List<Contribution> features = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            features.add(new Contribution(string(buf), buf.getDouble(), buf.getDouble(), buf.getDouble()));
        }
        return new EpisodeState(id, start, lastAnomalous, peakScore, peakSeverity, features,
                reported < 0 ? null : Severity.values()[reported], lastEventAt);
    }

    private static String string(ByteBuffer buf) {
        byte[] b = new byte[buf.getInt()];
        buf.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
