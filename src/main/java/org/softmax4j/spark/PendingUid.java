package org.softmax4j.spark;

/**
 * Hands a uid to a spark.ml class before its superclass's constructor runs: Spark's Scala superclasses create their
 * params (featuresCol, ...) in their constructors, and each param asks its parent's {@code uid()}, before a Java
 * subclass has set any field. The subclass's constructor passes its uid through here ({@code this(PendingUid.pass(uid),
 * ...)} is evaluated before the superclass constructor), and its {@code uid()} takes it on the first call.
 */
final class PendingUid {
    private static final ThreadLocal<String> NEXT = new ThreadLocal<>();

    private PendingUid() {
    }

    /** Holds {@code uid} for the constructor about to run on this thread; returns it. */
    static String pass(String uid) {
        NEXT.set(uid);
        return uid;
    }

    /** The uid passed on this thread, once. */
    static String take() {
        String uid = NEXT.get();
        NEXT.remove();
        if (uid == null) {
            throw new IllegalStateException("no uid was passed to this constructor");
        }
        return uid;
    }
}
