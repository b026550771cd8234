package io.latentwatch.streaming.internals;

import io.latentwatch.core.features.InvalidRecordException;
import io.latentwatch.core.features.RejectionReason;
import io.latentwatch.schemas.Observation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Decodes {@link Observation}s in Avro single-object encoding ({@code C3 01}, 8-byte schema fingerprint, body).
 *
 * <p>Only the exact {@code Observation} schema compiled into this build is accepted; any other fingerprint
 * (another record type, or an evolved Observation) is MALFORMED_AVRO. Before {@link Observation#fromByteBuffer}
 * materialises anything, the body is walked once with {@link GenericDatumReader#skip}, which allocates nothing:
 * Avro sizes strings and arrays from the lengths the bytes claim, so a 20-byte record claiming a 2 GB string
 * would otherwise allocate 2 GB before failing.
 */
final class AvroObservationDecoder implements ObservationDecoder {
    /** System property listing the packages Avro may instantiate classes from (CVE-2024-47561). */
    static final String SERIALIZABLE_PACKAGES_PROPERTY = "org.apache.avro.SERIALIZABLE_PACKAGES";
    /** The only package our records come from. */
    static final String TRUSTED_PACKAGE = Observation.class.getPackageName(); // a class literal does not initialise

    static { // first: initialising Observation below may already initialise Avro's SpecificDatumReader
        // Avro reads the property once, when SpecificDatumReader is initialised: set it before that happens,
        // unless the operator has chosen a list already.
        if (System.getProperty(SERIALIZABLE_PACKAGES_PROPERTY) == null) {
            System.setProperty(SERIALIZABLE_PACKAGES_PROPERTY, TRUSTED_PACKAGE);
        }
    }


    private static final Schema SCHEMA = Observation.getClassSchema();
    private static final byte[] HEADER = {(byte) 0xC3, 0x01};
    private static final int PREFIX_BYTES = HEADER.length + Long.BYTES;
    private static final byte[] FINGERPRINT = fingerprint(SCHEMA);

    AvroObservationDecoder() {
        verifyTrustedPackages();
    }

    /**
     * Refuses to run when Avro was told to trust every package: single-object records name their schema, and a
     * schema may ask Avro to instantiate arbitrary classes by name.
     */
    static void verifyTrustedPackages() {
        String trusted = System.getProperty(SERIALIZABLE_PACKAGES_PROPERTY, "");
        if (Arrays.stream(trusted.split(",")).map(String::trim).anyMatch("*"::equals)) {
            throw new IllegalStateException(SERIALIZABLE_PACKAGES_PROPERTY + "=* lets Avro instantiate classes of any "
                    + "package; set it to " + TRUSTED_PACKAGE + " (or leave it unset)");
        }
    }

    @Override
    public DecodedObservation decode(byte[] key, byte[] value, long recordTimestamp) {
        if (value == null) {
            throw malformed("the record has no value (null)", null);
        }
        if (value.length < PREFIX_BYTES || value[0] != HEADER[0] || value[1] != HEADER[1]) {
            throw malformed("not Avro single-object encoding (expected header C3 01 and an 8-byte fingerprint)", null);
        }
        if (!Arrays.equals(value, HEADER.length, PREFIX_BYTES, FINGERPRINT, 0, FINGERPRINT.length)) {
            throw malformed("Avro record of another schema: fingerprint "
                    + HexFormat.of().formatHex(value, HEADER.length, PREFIX_BYTES) + ", expected "
                    + SCHEMA.getFullName() + " (" + HexFormat.of().formatHex(FINGERPRINT) + ")", null);
        }
        Observation o;
        try {
            BinaryDecoder body = DecoderFactory.get().binaryDecoder(value, PREFIX_BYTES, value.length - PREFIX_BYTES, null);
            GenericDatumReader.skip(SCHEMA, body);
            if (!body.isEnd()) {
                throw malformed("trailing bytes after the Observation", null);
            }
            o = Observation.fromByteBuffer(ByteBuffer.wrap(value));
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidRecordException ire) {
                throw ire;
            }
            throw malformed("cannot decode the Observation: " + e, e);
        }
        String entity = DecodedObservation.entityOf(o.getEntity(), key);
        if (o.getValues() != null && o.getFields() != null) {
            throw malformed("give either 'values' or 'fields', not both", null);
        }
        if (o.getValues() == null && o.getFields() == null) {
            throw new InvalidRecordException(RejectionReason.MISSING_FIELD, "the Observation has neither 'values' nor 'fields'");
        }
        return new DecodedObservation(entity, o.getTimestamp(), o.getValues(), o.getFields());
    }

    private static InvalidRecordException malformed(String message, Throwable cause) {
        return new InvalidRecordException(RejectionReason.MALFORMED_AVRO, message, cause);
    }

    private static byte[] fingerprint(Schema schema) {
        try {
            return SchemaNormalization.parsingFingerprint("CRC-64-AVRO", schema);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Avro lacks CRC-64-AVRO", e);
        }
    }
}
