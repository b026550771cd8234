package io.latentwatch.streaming.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.latentwatch.core.features.FeatureLayout;
import io.latentwatch.core.features.InvalidRecordException;
import io.latentwatch.schemas.Observation;
import io.latentwatch.streaming.InputFormat;
import io.latentwatch.streaming.LatentwatchSerdes;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutation fuzzing of both decoders (and featurisation behind them): whatever the bytes, a decoder either
 * returns an observation or throws {@link InvalidRecordException}; nothing else may escape, since anything else
 * would reach Kafka Streams' exception handler instead of the dead-letter path with a reason.
 *
 * <p>The seed is fixed so a failure reproduces; the failing input is printed in hex.
 */
class DecoderFuzzTest {
    private static final int ITERATIONS = 30_000;
    private static final FeatureLayout LAYOUT = new FeatureLayout(List.of("cpu", "mem", "rps"));
    /** Bytes that steer a parser into its less travelled branches. */
    private static final byte[] INTERESTING = "{}[]\",:-+.eE0129nNtfuIa\\ \u0000".getBytes(StandardCharsets.ISO_8859_1);

    @Test
    void jsonDecoderThrowsOnlyRejectionsOnMutatedAndRandomBytes() {
        List<byte[]> seeds = List.of(
                utf8("{\"entity\":\"host-1\",\"timestamp\":1700000000000,\"values\":[0.51,0.22,13.0]}"),
                utf8("{\"entity\":\"host-1\",\"timestamp\":1700000000000,\"fields\":{\"cpu\":0.5,\"mem\":0.2,\"rps\":13}}"),
                utf8("{\"values\":[1e308,-1e-308,NaN],\"extra\":{\"a\":[1,[2,[3]]],\"b\":null,\"c\":\"\\u00e9\"}}"),
                utf8("{\"timestamp\":-1,\"values\":[null,Infinity,-Infinity]}"),
                utf8("[1,2,3]"));
        Map<Outcome, Integer> outcomes = fuzz(new JsonObservationDecoder(4096), seeds, new Random(20240801L));
        // The mutator must reach both outcomes, or it only exercised one path.
        assertThat(outcomes.getOrDefault(Outcome.ACCEPTED, 0)).isGreaterThan(100);
        assertThat(outcomes.getOrDefault(Outcome.REJECTED, 0)).isGreaterThan(ITERATIONS / 2);
    }

    @Test
    void avroDecoderThrowsOnlyRejectionsOnMutatedAndRandomBytes() {
        List<byte[]> seeds = List.of(
                LatentwatchSerdes.encodeObservation(new Observation("host-1", 1_700_000_000_000L, List.of(0.5f, 0.2f, 13f), null)),
                LatentwatchSerdes.encodeObservation(new Observation("", -5L, null, Map.of("cpu", 0.5, "mem", 0.2, "rps", 1e300))),
                LatentwatchSerdes.encodeObservation(new Observation("h", Long.MAX_VALUE, List.of(Float.NaN), null)),
                LatentwatchSerdes.encodeObservation(new Observation("\u00e9\u4e2d", 0L, List.of(), Map.of())));
        Map<Outcome, Integer> outcomes = fuzz(new AvroObservationDecoder(), seeds, new Random(20240802L));
        assertThat(outcomes.getOrDefault(Outcome.ACCEPTED, 0)).isGreaterThan(100);
        assertThat(outcomes.getOrDefault(Outcome.REJECTED, 0)).isGreaterThan(ITERATIONS / 2);
    }

    @Test
    void theFormatsRejectEachOthersRecords() {
        byte[] json = utf8("{\"entity\":\"h\",\"values\":[1,2,3]}");
        byte[] avro = LatentwatchSerdes.encodeObservation(new Observation("h", 1L, List.of(1f, 2f, 3f), null));
        ObservationDecoder jsonDecoder = ObservationDecoder.forFormat(InputFormat.JSON, 4096);
        ObservationDecoder avroDecoder = ObservationDecoder.forFormat(InputFormat.AVRO, 4096);
        assertThat(outcome(jsonDecoder, null, avro)).isEqualTo(Outcome.REJECTED);
        assertThat(outcome(avroDecoder, null, json)).isEqualTo(Outcome.REJECTED);
    }

    private enum Outcome { ACCEPTED, REJECTED }

    private static Map<Outcome, Integer> fuzz(ObservationDecoder decoder, List<byte[]> seeds, Random random) {
        Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] input = i % 10 == 0 ? randomBytes(random) : mutate(seeds, random);
            byte[] key = random.nextInt(4) == 0 ? null : randomKey(random);
            counts.merge(outcome(decoder, key, input), 1, Integer::sum);
        }
        return counts;
    }

    private static Outcome outcome(ObservationDecoder decoder, byte[] key, byte[] value) {
        try {
            DecodedObservation o = decoder.decode(key, value, 42L);
            assertThat(o.entity()).isNotEmpty();
            float[] row = o.features(LAYOUT);
            assertThat(row).hasSize(LAYOUT.width());
            for (float v : row) {
                assertThat(Float.isFinite(v)).as("featurised values are finite").isTrue();
            }
            return Outcome.ACCEPTED;
        } catch (InvalidRecordException e) {
            assertThat(e.reason()).isNotNull();
            assertThat(e.getMessage()).isNotBlank();
            return Outcome.REJECTED;
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            fail("the decoder let " + e + " escape on key=" + hex(key) + " value=" + hex(value), e);
            return null;
        }
    }

    private static byte[] mutate(List<byte[]> seeds, Random random) {
        byte[] b = seeds.get(random.nextInt(seeds.size())).clone();
        int rounds = 1 + random.nextInt(4);
        for (int r = 0; r < rounds && b.length > 0; r++) {
            int at = random.nextInt(b.length);
            switch (random.nextInt(7)) {
                case 0 -> b[at] ^= (byte) (1 << random.nextInt(8)); // bit flip
                case 1 -> b[at] = (byte) random.nextInt(256);
                case 2 -> b[at] = INTERESTING[random.nextInt(INTERESTING.length)];
                case 3 -> b = java.util.Arrays.copyOf(b, at); // truncate
                case 4 -> { // delete a range
                    int len = Math.min(b.length - at, 1 + random.nextInt(8));
                    byte[] out = new byte[b.length - len];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(b, at + len, out, at, b.length - at - len);
                    b = out;
                }
                case 5 -> { // duplicate a range in place (repeats members, nests brackets)
                    int len = Math.min(b.length - at, 1 + random.nextInt(16));
                    byte[] out = new byte[b.length + len];
                    System.arraycopy(b, 0, out, 0, at + len);
                    System.arraycopy(b, at, out, at + len, b.length - at);
                    b = out;
                }
                default -> { // splice: the head of this seed, the tail of another
                    byte[] other = seeds.get(random.nextInt(seeds.size()));
                    int from = random.nextInt(other.length);
                    byte[] out = new byte[at + other.length - from];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(other, from, out, at, other.length - from);
                    b = out;
                }
            }
        }
        return b;
    }

    private static byte[] randomBytes(Random random) {
        byte[] b = new byte[random.nextInt(64)];
        random.nextBytes(b);
        if (b.length >= 2 && random.nextBoolean()) { // sometimes an Avro single-object header, to get past it
            b[0] = (byte) 0xC3;
            b[1] = 0x01;
        }
        return b;
    }

    private static byte[] randomKey(Random random) {
        byte[] b = new byte[random.nextInt(8)];
        random.nextBytes(b);
        return b;
    }

    private static String hex(byte[] b) {
        return b == null ? "null" : HexFormat.of().formatHex(b);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
