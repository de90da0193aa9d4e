package org.softmax4j.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The protocol-buffers wire format, as much of it as an ONNX model needs: varints (wire type 0), length-delimited
 * fields (type 2: strings, bytes, nested messages, packed numbers) and 32-bit floats (type 5). Each writer is one
 * message; a nested message is built in its own writer and added with {@link #message}. Field numbers come from
 * {@link OnnxSchema}, which names where each is defined.
 *
 * <p>Why not protobuf-java with generated classes: the library would then carry protobuf-java as a run-time dependency,
 * and protobuf 4's generated code refuses to run on an older runtime than the one it was generated with, a version
 * clash that a user's own protobuf (gRPC, ONNX Runtime's tools, Hadoop) would hit. Writing the dozen messages by hand
 * is short, and every test checks the bytes by loading them into ONNX Runtime.
 */
final class ProtoWriter {
    private static final int VARINT = 0;
    private static final int LENGTH_DELIMITED = 2;
    private static final int FIXED32 = 5;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    ProtoWriter varint(int field, long value) {
        tag(field, VARINT);
        rawVarint(value);
        return this;
    }

    ProtoWriter string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    ProtoWriter bytes(int field, byte[] value) {
        tag(field, LENGTH_DELIMITED);
        rawVarint(value.length);
        out.writeBytes(value);
        return this;
    }

    ProtoWriter message(int field, ProtoWriter message) {
        return bytes(field, message.toByteArray());
    }

    ProtoWriter float32(int field, float value) {
        tag(field, FIXED32);
        rawFixed32(Float.floatToRawIntBits(value));
        return this;
    }

    /** A packed repeated float field: one length-delimited run of little-endian 32-bit floats. */
    ProtoWriter packedFloats(int field, float[] values) {
        tag(field, LENGTH_DELIMITED);
        rawVarint(4L * values.length);
        for (float value : values) {
            rawFixed32(Float.floatToRawIntBits(value));
        }
        return this;
    }

    /** A packed repeated int64 field. */
    ProtoWriter packedVarints(int field, long[] values) {
        ProtoWriter body = new ProtoWriter();
        for (long value : values) {
            body.rawVarint(value);
        }
        return bytes(field, body.toByteArray());
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    private void tag(int field, int wireType) {
        rawVarint(((long) field << 3) | wireType);
    }

    /** Seven bits a byte, low first; a negative int64 takes ten bytes (two's complement, as protobuf specifies). */
    private void rawVarint(long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    private void rawFixed32(int bits) {
        out.write(bits);
        out.write(bits >>> 8);
        out.write(bits >>> 16);
        out.write(bits >>> 24);
    }
}
