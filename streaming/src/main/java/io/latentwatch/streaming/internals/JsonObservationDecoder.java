package io.latentwatch.streaming.internals;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.latentwatch.core.features.InvalidRecordException;
import io.latentwatch.core.features.RejectionReason;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes UTF-8 JSON observations:
 * <pre>
 * {"entity":"host-1","timestamp":1700000000000,"values":[1.0,2.0]}
 * {"entity":"host-1","timestamp":1700000000000,"fields":{"cpu":0.5,"mem":0.2}}
 * </pre>
 * {@code entity} may be omitted when the record has a key, {@code timestamp} when the record timestamp will
 * do. Other members are ignored. The parser is hardened against hostile input: bounded size, nesting and
 * number length, no duplicate members, nothing after the object.
 *
 * <p>Why a streaming parser and not a JSON tree: decoding is on every record's path, and building a tree of the
 * whole object first cost about as much as the rest of the pass-through topology. The parser enforces the same
 * constraints while streaming, including inside members that are skipped.
 */
final class JsonObservationDecoder implements ObservationDecoder {
    /** Our shape nests two deep; leave room for ignored extra members but not for stack-eating depth. */
    static final int MAX_NESTING_DEPTH = 16;
    /** Longest number literal: a double needs about 25 characters; longer ones only cost parse time. */
    static final int MAX_NUMBER_LENGTH = 100;

    private final JsonFactory factory;
    private final int maxRecordBytes;

    JsonObservationDecoder(int maxRecordBytes) {
        StreamReadConstraints constraints = StreamReadConstraints.builder()
                .maxDocumentLength(maxRecordBytes)
                .maxNestingDepth(MAX_NESTING_DEPTH)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxStringLength(maxRecordBytes)
                .maxNameLength(Math.min(maxRecordBytes, 1024))
                .build();
        this.factory = JsonFactory.builder()
                .streamReadConstraints(constraints)
                // Parse NaN and Infinity so that featurisation rejects them as NON_FINITE, which says more
                // than "not JSON" to whoever reads the dead-letter topic.
                .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                // Parsing the numbers is most of the work; the fast parser gives the same doubles.
                .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                .build();
        this.maxRecordBytes = maxRecordBytes;
    }

    @Override
    public DecodedObservation decode(byte[] key, byte[] value, long recordTimestamp) {
        if (value == null) {
            throw malformed("the record has no value (null)");
        }
        if (value.length > maxRecordBytes) {
            // Checked here: the parser does not read the members it skips, so their length would go unnoticed.
            throw malformed("the value has " + value.length + " bytes, the limit is " + maxRecordBytes);
        }
        String entity = null;
        Long timestamp = null;
        List<Number> values = null;
        Map<String, Number> fields = null;
        try (JsonParser p = factory.createParser(value)) {
            JsonToken root = p.nextToken();
            if (root != JsonToken.START_OBJECT) {
                throw malformed("expected a JSON object, found " + (root == null ? "nothing" : typeOf(root)));
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (v == JsonToken.VALUE_NULL) {
                    continue; // a member set to null counts as absent
                }
                switch (name) {
                    case "entity" -> entity = entity(p, v);
                    case "timestamp" -> timestamp = timestamp(p, v);
                    case "values" -> values = values(p, v);
                    case "fields" -> fields = fields(p, v);
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new InvalidRecordException(RejectionReason.MALFORMED_JSON,
                        "not valid JSON: trailing content after the object");
            }
        } catch (InvalidRecordException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new InvalidRecordException(RejectionReason.MALFORMED_JSON, "not valid JSON: " + firstLine(e), e);
        }
        String resolved = DecodedObservation.entityOf(entity, key);
        long time = timestamp != null ? timestamp : recordTimestamp;
        if (values != null && fields != null) {
            throw malformed("give either 'values' or 'fields', not both");
        }
        if (values != null) {
            return new DecodedObservation(resolved, time, values, null);
        }
        if (fields != null) {
            return new DecodedObservation(resolved, time, null, fields);
        }
        throw new InvalidRecordException(RejectionReason.MISSING_FIELD, "the object has neither 'values' nor 'fields'");
    }

    private static String entity(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.VALUE_STRING) {
            throw malformed("'entity' must be a string, found " + typeOf(v));
        }
        return p.getText();
    }

    private static long timestamp(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw malformed("'timestamp' must be an integer (epoch milliseconds), found "
                    + (v.isScalarValue() ? p.getText() : typeOf(v)));
        }
        return p.getLongValue();
    }

    private static List<Number> values(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.START_ARRAY) {
            throw malformed("'values' must be an array of numbers, found " + typeOf(v));
        }
        List<Number> out = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            out.add(number(p, t, "values[", out.size()));
        }
        return out;
    }

    private static Map<String, Number> fields(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.START_OBJECT) {
            throw malformed("'fields' must be an object of numbers, found " + typeOf(v));
        }
        Map<String, Number> out = new HashMap<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
            String name = p.currentName();
            out.put(name, number(p, p.nextToken(), "fields." + name, -1));
        }
        return out;
    }

    /** A number, or null for JSON null (featurisation reports it as missing); {@code index} -1 for named fields. */
    private static Number number(JsonParser p, JsonToken t, String where, int index) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t == JsonToken.VALUE_NUMBER_FLOAT) {
            return p.getDoubleValue();
        }
        if (t == JsonToken.VALUE_NUMBER_INT) {
            return p.getNumberValue();
        }
        throw malformed("'" + (index < 0 ? where : where + index + "]") + "' must be a number, found " + typeOf(t));
    }

    /** The JSON type of a value token, named as JSON trees name them. */
    private static String typeOf(JsonToken t) {
        return switch (t) {
            case START_OBJECT -> "OBJECT";
            case START_ARRAY -> "ARRAY";
            case VALUE_STRING -> "STRING";
            case VALUE_TRUE, VALUE_FALSE -> "BOOLEAN";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "NUMBER";
            case VALUE_NULL -> "NULL";
            default -> t.name();
        };
    }

    private static InvalidRecordException malformed(String message) {
        return new InvalidRecordException(RejectionReason.MALFORMED_JSON, message);
    }

    private static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
