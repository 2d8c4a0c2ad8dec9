package dev.outboxrelay.benchmark.peer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The peer side of the harness's control protocol: the peer prints {@code READY} on standard output
 * when it is ready to relay, the harness writes commands as lines on standard input and reads the
 * answers the peer prints, and closing standard input asks the peer to exit.
 */
public final class PeerControl {

    /** Handles one command's arguments; returns the answer line to print. */
    @FunctionalInterface
    public interface Command {
        String run(String[] arguments) throws Exception;
    }

    private PeerControl() {
    }

    public static void ready() {
        answer("READY");
    }

    public static synchronized void answer(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /** Serves commands until standard input closes, then exits the JVM (shutdown hooks stop the peer). */
    public static void serve(Map<String, Command> commands) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                String[] words = line.strip().split("\\s+");
                Command command = commands.get(words[0]);
                if (command == null) {
                    answer("ERROR unknown command " + words[0]);
                    continue;
                }
                String[] arguments = java.util.Arrays.copyOfRange(words, 1, words.length);
                Thread worker = new Thread(() -> {
                    try {
                        answer(command.run(arguments));
                    } catch (Exception e) {
                        e.printStackTrace();
                        answer("ERROR " + e);
                    }
                }, "command-" + words[0]);
                worker.start();
            }
        } catch (IOException e) {
            e.printStackTrace();
        }
        System.exit(0);
    }
}
