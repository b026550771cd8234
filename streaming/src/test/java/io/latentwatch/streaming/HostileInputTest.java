package io.latentwatch.streaming;

import static io.latentwatch.streaming.ScoringHarness.correlated;
import static io.latentwatch.streaming.ScoringHarness.header;
import static io.latentwatch.streaming.ScoringHarness.json;
import static io.latentwatch.streaming.ScoringHarness.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.latentwatch.core.features.RejectionReason;
import io.latentwatch.schemas.LatentCode;
import io.latentwatch.schemas.Observation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * Hostile input through the real topology (ONNX Runtime scoring, micro-batches): every record ends up scored or
 * dead-lettered with the reason it must get, and nothing escapes the topology. Complements the per-reason tests
 * in {@link ScoringTopologyTest}.
 */
class HostileInputTest extends TabularModelTest {
    @Test
    void fuzzedJsonIsScoredOrDeadLetteredRecordForRecord() {
        List<byte[]> seeds = List.of(
                utf8(json("h", 1_700_000_000_000L, correlated(0.3f, 0f))),
                utf8("{\"timestamp\":5,\"fields\":{\"neg\":-0.5,\"noisy\":0.5,\"twice\":1.0,\"x\":0.5}}"),
                utf8("{\"entity\":\"e\",\"values\":[0.1,0.2,0.1,-0.1],\"extra\":{\"a\":[1,[2]],\"b\":null}}"));
        // Micro-batches of 16: mutated records share batches with valid ones.
        ScoringHarness h = harness(Map.of(LatentwatchStreamsConfig.BATCH_MAX_RECORDS_CONFIG, 16,
                LatentwatchStreamsConfig.BATCH_MAX_WAIT_MS_CONFIG, 60_000));
        assertFuzzedInputAccountedFor(h, seeds, 3200, new Random(11));
    }

    @Test
    void fuzzedAvroIsScoredOrDeadLetteredRecordForRecord() {
        List<byte[]> seeds = List.of(
                LatentwatchSerdes.encodeObservation(new Observation("h", 1L, asList(correlated(0.2f, 0f)), null)),
                LatentwatchSerdes.encodeObservation(new Observation("", 2L, null,
                        Map.of("x", 0.5, "twice", 1.0, "noisy", 0.5, "neg", -0.5))));
        ScoringHarness h = harness(Map.of("input.format", "avro", LatentwatchStreamsConfig.BATCH_MAX_RECORDS_CONFIG, 16,
                LatentwatchStreamsConfig.BATCH_MAX_WAIT_MS_CONFIG, 60_000));
        assertFuzzedInputAccountedFor(h, seeds, 3200, new Random(12));
    }

    private static void assertFuzzedInputAccountedFor(ScoringHarness h, List<byte[]> seeds, int n, Random random) {
        for (int i = 0; i < n; i++) {
            byte[] value = seeds.get(random.nextInt(seeds.size())).clone();
            int flips = random.nextInt(3); // 0 flips keeps some records valid
            for (int f = 0; f < flips; f++) {
                value[random.nextInt(value.length)] = (byte) random.nextInt(256);
            }
            if (random.nextInt(20) == 0) {
                value = Arrays.copyOf(value, random.nextInt(value.length));
            }
            h.send(random.nextInt(10) == 0 ? null : "k" + (i % 7), value, 1_000L + i);
        }
        h.driver.advanceWallClockTime(Duration.ofMinutes(2)); // the last, partial micro-batch is scored by time
        List<TestRecord<byte[], byte[]>> latents = h.latentRecords();
        List<TestRecord<byte[], byte[]>> dead = h.deadLetters.readRecordsToList();
        assertThat(latents.size() + dead.size()).as("latent codes + dead letters").isEqualTo(n);
        assertThat(latents).as("some mutated records are still valid").hasSizeGreaterThan(n / 20);
        // Each dead letter names its source offset: together they and the latents cover every offset once.
        assertThat(dead).extracting(d -> header(d, DeadLetterHeaders.SOURCE_OFFSET)).doesNotHaveDuplicates();
        for (TestRecord<byte[], byte[]> d : dead) {
            assertThat(RejectionReason.valueOf(header(d, DeadLetterHeaders.REASON))).isNotNull();
            assertThat(header(d, DeadLetterHeaders.ERROR)).isNotBlank();
        }
    }

    @Test
    void eachHostileJsonRecordGetsItsReason() {
        ScoringHarness h = harness(Map.of());
        String deep = "{\"values\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        String nestedInValues = "{\"values\":[[1],[2],[2],[-1]]}";
        String wide = "{\"values\":[" + "1,".repeat(100_000) + "1]}";
        String hugeKeyValue = json("h", 1L, correlated(0.1f, 0f));
        List<Hostile> cases = List.of(
                new Hostile("deep", utf8(deep), RejectionReason.MALFORMED_JSON),
                new Hostile("nested", utf8(nestedInValues), RejectionReason.MALFORMED_JSON),
                new Hostile("wide", utf8(wide), RejectionReason.WRONG_LENGTH),
                new Hostile("empty", utf8("{\"values\":[]}"), RejectionReason.WRONG_LENGTH),
                new Hostile("h", utf8("{\"fields\":{\"x\":NaN,\"twice\":1,\"noisy\":1,\"neg\":-1}}"), RejectionReason.NON_FINITE),
                new Hostile("h", utf8("{\"values\":[1e39,2,1,-1]}"), RejectionReason.NON_FINITE), // beyond float32
                new Hostile("h", utf8("{\"values\":[-Infinity,2,1,-1]}"), RejectionReason.NON_FINITE),
                new Hostile("h", utf8("{\"timestamp\":1e30,\"values\":[1,2,1,-1]}"), RejectionReason.MALFORMED_JSON),
                new Hostile("h", utf8("{\"timestamp\":99999999999999999999,\"values\":[1,2,1,-1]}"), RejectionReason.MALFORMED_JSON),
                new Hostile("h", utf8("{\"timestamp\":\"yesterday\",\"values\":[1,2,1,-1]}"), RejectionReason.MALFORMED_JSON),
                new Hostile("h", utf8("{\"entity\":42,\"values\":[1,2,1,-1]}"), RejectionReason.MALFORMED_JSON),
                new Hostile("h", utf8("{\"values\":[1,2,1,-1],\"values\":[1,2,1,-1]}"), RejectionReason.MALFORMED_JSON),
                new Hostile("h", utf8("{\"values\":[1,2,1,-1]} trailing"), RejectionReason.MALFORMED_JSON),
                new Hostile("h", new byte[] {(byte) 0xFF, (byte) 0xFE, 0, 0}, RejectionReason.MALFORMED_JSON),
                new Hostile("h", new byte[0], RejectionReason.MALFORMED_JSON),
                new Hostile(null, utf8("{\"values\":[1,2,1,-1]}"), RejectionReason.MISSING_ENTITY),
                new Hostile("", utf8("{\"entity\":\"\",\"values\":[1,2,1,-1]}"), RejectionReason.MISSING_ENTITY),
                new Hostile("x".repeat(1024 * 1024), utf8(hugeKeyValue), RejectionReason.TOO_LARGE));
        for (int i = 0; i < cases.size(); i++) {
            h.send(cases.get(i).key(), cases.get(i).value(), 100L + i);
        }
        assertReasons(h, cases);
        assertThat(h.latentRecords()).isEmpty();
    }

    @Test
    void timestampsFarInThePastOrFutureAreScoredWithTheirEventTime() {
        // Event time is data, not an error: a tabular model does not look at it, so it is carried through as is.
        ScoringHarness h = harness(Map.of());
        long[] eventTimes = {Long.MIN_VALUE, -1L, 0L, 253_402_300_800_000L /* year 10000 */, Long.MAX_VALUE};
        for (int i = 0; i < eventTimes.length; i++) {
            h.sendJson("h", json("h", eventTimes[i], correlated(0.1f, 0f)), 0L);
        }
        assertThat(h.readLatents()).extracting(LatentCode::getTimestamp)
                .containsExactly(Arrays.stream(eventTimes).boxed().toArray(Long[]::new));
        assertThat(h.deadLetters.isEmpty()).isTrue();
    }

    @Test
    void aNullKeyIsScoredUnderThePayloadsEntity() {
        ScoringHarness h = harness(Map.of());
        h.send(null, utf8(json("from-payload", 5L, correlated(0.1f, 0f))), 1L);
        List<TestRecord<byte[], byte[]>> latents = h.latentRecords();
        assertThat(latents).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo(utf8("from-payload"));
            assertThat(LatentwatchSerdes.decodeLatentCode(r.value()).getEntity()).isEqualTo("from-payload");
        });
    }

    @Test
    void eachHostileAvroRecordGetsItsReason() throws Exception {
        ScoringHarness h = harness(Map.of("input.format", "avro"));
        // Same name as ours, one more field: an evolved Observation is another schema too.
        Schema evolved = new Schema.Parser().parse("""
                {"type":"record","name":"Observation","namespace":"io.latentwatch.schemas","fields":[
                 {"name":"entity","type":"string"},{"name":"timestamp","type":"long"},
                 {"name":"values","type":["null",{"type":"array","items":"float"}],"default":null},
                 {"name":"fields","type":["null",{"type":"map","values":"double"}],"default":null},
                 {"name":"extra","type":"string","default":""}]}""");
        GenericRecord evolvedRecord = new GenericData.Record(evolved);
        evolvedRecord.put("entity", "h");
        evolvedRecord.put("timestamp", 1L);
        evolvedRecord.put("values", List.of(1f, 2f, 1f, -1f));
        evolvedRecord.put("extra", "x");
        // A schema asking Avro to build a class of another package: refused by its fingerprint, before any lookup.
        Schema foreign = new Schema.Parser().parse("""
                {"type":"record","name":"Gadget","namespace":"com.example","fields":[
                 {"name":"cmd","type":{"type":"string","java-class":"java.lang.ProcessBuilder"}}]}""");
        GenericRecord foreignRecord = new GenericData.Record(foreign);
        foreignRecord.put("cmd", "touch /tmp/pwned");
        byte[] good = LatentwatchSerdes.encodeObservation(new Observation("h", 1L, asList(correlated(0.2f, 0f)), null));
        byte[] longer = Arrays.copyOf(good, good.length + 3); // trailing bytes after a valid body
        byte[] huge = LatentwatchSerdes.encodeObservation(new Observation("x".repeat(2 * 1024 * 1024), 1L,
                asList(correlated(0.2f, 0f)), null));
        List<Hostile> cases = List.of(
                new Hostile("h", singleObject(evolved, evolvedRecord), RejectionReason.MALFORMED_AVRO),
                new Hostile("h", singleObject(foreign, foreignRecord), RejectionReason.MALFORMED_AVRO),
                new Hostile("h", longer, RejectionReason.MALFORMED_AVRO),
                new Hostile("h", Arrays.copyOf(good, 10), RejectionReason.MALFORMED_AVRO),
                new Hostile("h", huge, RejectionReason.TOO_LARGE),
                new Hostile("h", LatentwatchSerdes.encodeObservation(new Observation("h", 1L,
                        List.of(1f, Float.POSITIVE_INFINITY, 1f, -1f), null)), RejectionReason.NON_FINITE),
                new Hostile(null, LatentwatchSerdes.encodeObservation(new Observation("", 1L,
                        asList(correlated(0.2f, 0f)), null)), RejectionReason.MISSING_ENTITY),
                new Hostile("h", LatentwatchSerdes.encodeObservation(new Observation("h", 1L, null,
                        Map.of("x", 1.0))), RejectionReason.MISSING_FIELD));
        for (int i = 0; i < cases.size(); i++) {
            h.send(cases.get(i).key(), cases.get(i).value(), 100L + i);
        }
        assertReasons(h, cases);
        h.send("h", good, 500L);
        assertThat(h.readLatents()).singleElement().satisfies(c -> assertThat(c.getEntity()).isEqualTo("h"));
    }

    private static void assertReasons(ScoringHarness h, List<Hostile> cases) {
        List<TestRecord<byte[], byte[]>> dead = h.deadLetters.readRecordsToList();
        assertThat(dead).hasSize(cases.size());
        Map<Long, TestRecord<byte[], byte[]>> byOffset = new HashMap<>();
        dead.forEach(d -> byOffset.put(Long.parseLong(header(d, DeadLetterHeaders.SOURCE_OFFSET)), d));
        for (int i = 0; i < cases.size(); i++) {
            TestRecord<byte[], byte[]> d = byOffset.get((long) i);
            assertThat(d).as("dead letter of case %d", i).isNotNull();
            String what = "case " + i + " (error: " + header(d, DeadLetterHeaders.ERROR) + ")";
            assertThat(header(d, DeadLetterHeaders.REASON)).as(what).isEqualTo(cases.get(i).reason().name());
            assertThat(d.value()).as(what).isEqualTo(cases.get(i).value());
        }
    }

    private static byte[] singleObject(Schema schema, GenericRecord record) throws IOException, NoSuchAlgorithmException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xC3);
        out.write(0x01);
        out.write(SchemaNormalization.parsingFingerprint("CRC-64-AVRO", schema));
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    private static List<Float> asList(float[] values) {
        List<Float> out = new ArrayList<>();
        for (float v : values) {
            out.add(v);
        }
        return out;
    }

    private record Hostile(String key, byte[] value, RejectionReason reason) {}
}
