package dev.stepwise.engine.step;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Reads the last few KiB a step wrote, so a chatty step cannot bloat its execution's events. */
final class OutputTail {

  static final int MAX_BYTES = 4_096;

  private OutputTail() {}

  static String of(Path file) {
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long length = in.length();
      int size = (int) Math.min(length, MAX_BYTES);
      byte[] bytes = new byte[size];
      in.seek(length - size);
      in.readFully(bytes);
      String text = decode(bytes);
      return length > MAX_BYTES ? "…" + text : text;
    } catch (IOException e) {
      return "";
    }
  }

  static String of(byte[] bytes) {
    if (bytes.length <= MAX_BYTES) {
      return decode(bytes);
    }
    byte[] head = new byte[MAX_BYTES];
    System.arraycopy(bytes, 0, head, 0, MAX_BYTES);
    return decode(head) + "…";
  }

  private static String decode(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE)
          .decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      return "";
    }
  }
}
