package dev.outboxrelay.benchmark.peer;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * When each event of a run committed: {@code micros[i]} for event {@code first + i}, 0 for one that
 * was never written. Written to a file by a peer that produces in its own process.
 */
public record CommitTimes(long first, long[] micros) {

    public long of(long n) {
        long index = n - first;
        return index < 0 || index >= micros.length ? 0 : micros[(int) index];
    }

    public int written() {
        int count = 0;
        for (long micro : micros) {
            if (micro != 0) {
                count++;
            }
        }
        return count;
    }

    public void write(Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeLong(first);
            out.writeInt(micros.length);
            for (long micro : micros) {
                out.writeLong(micro);
            }
        }
    }

    public static CommitTimes read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            long first = in.readLong();
            long[] micros = new long[in.readInt()];
            for (int i = 0; i < micros.length; i++) {
                micros[i] = in.readLong();
            }
            return new CommitTimes(first, micros);
        }
    }
}
